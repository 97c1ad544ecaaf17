package dev.sharpness.trainer.data;

/**
 * A job's data after loading: the training part, the validation part carved from the training set
 * (size 0 when none is held out), and the test set.
 */
public record TrainingData(
        ImageSet train, ImageSet validation, ImageSet test, String description) {}
