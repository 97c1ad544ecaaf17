package dev.sharpness.trainer.data;

/** Images as read from disk, before normalization: unsigned bytes N x C x H x W, and labels. */
record RawImages(byte[] pixels, int[] labels, int channels, int height, int width) {}
