package dev.sharpness.trainer.inference;

import dev.sharpness.api.v1alpha1.DatasetSpec.Format;
import java.util.List;
import java.util.stream.IntStream;

/** The published class names of a dataset format; "class N" where a format has none. */
final class ClassNames {
    private static final List<String> FASHION_MNIST =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");
    private static final List<String> CIFAR10 =
            List.of(
                    "airplane",
                    "automobile",
                    "bird",
                    "cat",
                    "deer",
                    "dog",
                    "frog",
                    "horse",
                    "ship",
                    "truck");

    private ClassNames() {}

    static List<String> of(Format format, int classes) {
        List<String> names =
                switch (format) {
                    case FASHION_MNIST -> FASHION_MNIST;
                    case MNIST -> IntStream.range(0, 10).mapToObj(Integer::toString).toList();
                    case CIFAR10 -> CIFAR10;
                    default -> List.of();
                };
        if (names.size() == classes) {
            return names;
        }
        return IntStream.range(0, classes).mapToObj(i -> "class " + i).toList();
    }
}
