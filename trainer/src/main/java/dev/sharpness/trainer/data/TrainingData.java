package dev.sharpness.trainer.data;

import java.util.Objects;

/**
 * The three parts of a dataset as the trainer uses them, all with the same image shape and class
 * count.
 *
 * @param train the training samples, after the validation split and any label noise
 * @param validation held out from the original training set; size 0 when no split was asked for
 * @param test the dataset's own test set
 * @param description one line for logs and reports: format, source, sizes and shape
 */
public record TrainingData(ImageSet train, ImageSet validation, ImageSet test, String description) {
    public TrainingData {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(description, "description");
        requireSameShape(train, validation, "validation");
        requireSameShape(train, test, "test");
    }

    private static void requireSameShape(ImageSet train, ImageSet other, String name) {
        if (train.channels() != other.channels()
                || train.height() != other.height()
                || train.width() != other.width()
                || train.classes() != other.classes()) {
            throw new IllegalArgumentException(
                    name + " set " + other + " does not match the training set " + train);
        }
    }
}
