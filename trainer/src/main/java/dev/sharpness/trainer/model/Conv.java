package dev.sharpness.trainer.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/** Square, "same"-padded convolutions for layers that a batch norm follows. */
final class Conv {
    private Conv() {}

    /**
     * A convolution without bias: the batch norm after it subtracts any constant offset, so a bias
     * would be a parameter that never learns anything.
     *
     * @param filters output channels
     * @param kernel kernel height and width (odd)
     * @param stride 1, or 2 to halve the image
     */
    static Conv2d beforeBatchNorm(int filters, int kernel, int stride) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optBias(false)
                .build();
    }
}
