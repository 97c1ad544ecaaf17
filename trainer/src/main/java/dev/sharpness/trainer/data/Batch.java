package dev.sharpness.trainer.data;

import ai.djl.ndarray.NDArray;

/**
 * One mini-batch on the device. The arrays belong to the {@code NDManager} they were created on, so
 * the caller decides how long they live.
 *
 * @param images float32, shape (N, C, H, W), normalized and, for training, augmented
 * @param labels int32, shape (N)
 * @param indices which samples of the {@link ImageSet} the rows are, in row order
 */
public record Batch(NDArray images, NDArray labels, int[] indices) {}
