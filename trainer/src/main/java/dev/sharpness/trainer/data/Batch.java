package dev.sharpness.trainer.data;

import ai.djl.ndarray.NDArray;

/**
 * One minibatch on the device.
 *
 * @param images float32 (N, C, H, W)
 * @param labels int32 (N)
 * @param indices the samples' positions in their image set
 */
public record Batch(NDArray images, NDArray labels, int[] indices) {}
