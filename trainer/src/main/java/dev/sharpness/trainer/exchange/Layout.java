package dev.sharpness.trainer.exchange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The parameter layout of a model: the tensors, in the order the trainer flattens them into one
 * gradient vector. Both ranks of a pair must have the same layout, or their vectors mean different
 * things.
 *
 * @param names one name per tensor, e.g. {@code conv0.weight}
 * @param shapes one shape per tensor, every dimension {@code >= 0}
 */
public record Layout(List<String> names, List<long[]> shapes) {

    public Layout {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(shapes, "shapes");
        if (names.size() != shapes.size()) {
            throw new IllegalArgumentException(
                    names.size() + " parameter names but " + shapes.size() + " shapes");
        }
        names = List.copyOf(names);
        List<long[]> copies = new ArrayList<>(shapes.size());
        for (int i = 0; i < shapes.size(); i++) {
            long[] shape = Objects.requireNonNull(shapes.get(i), "shape of " + names.get(i));
            for (long dim : shape) {
                if (dim < 0) {
                    throw new IllegalArgumentException(
                            "parameter "
                                    + i
                                    + " '"
                                    + names.get(i)
                                    + "' has shape "
                                    + format(shape));
                }
            }
            copies.add(shape.clone());
        }
        shapes = List.copyOf(copies);
        count(shapes); // fails early on an overflowing layout
    }

    /** The shapes, as copies: the layout itself cannot change. */
    @Override
    public List<long[]> shapes() {
        return shapes.stream().map(long[]::clone).toList();
    }

    /** The number of tensors. */
    public int size() {
        return names.size();
    }

    /** The number of elements of every gradient vector: the sum of the shapes' products. */
    public long elementCount() {
        return count(shapes);
    }

    long[] shape(int index) {
        return shapes.get(index).clone();
    }

    /** A shape as the handshake's messages write it: {@code [16,3,3,3]}. */
    static String format(long[] shape) {
        return Arrays.stream(shape)
                .mapToObj(Long::toString)
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static long count(List<long[]> shapes) {
        long total = 0;
        for (long[] shape : shapes) {
            long product = 1;
            for (long dim : shape) {
                product = Math.multiplyExact(product, dim);
            }
            total = Math.addExact(total, product);
        }
        return total;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Layout that) || !names.equals(that.names)) {
            return false;
        }
        for (int i = 0; i < shapes.size(); i++) {
            if (!Arrays.equals(shapes.get(i), that.shapes.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = names.hashCode();
        for (long[] shape : shapes) {
            hash = 31 * hash + Arrays.hashCode(shape);
        }
        return hash;
    }

    @Override
    public String toString() {
        List<String> entries = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            entries.add(names.get(i) + format(shapes.get(i)));
        }
        return "Layout" + entries;
    }
}
