package dev.sharpness.trainer.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/**
 * A small CNN that learns Fashion-MNIST in minutes on a CPU: two conv3x3-BN-ReLU-maxpool2 stages
 * with 32 and 64 channels, then a 128-unit hidden layer (about 422k parameters at 28x28x1).
 */
final class SmallCnn {
    /**
     * The index of the classifier's first top-level block (the flattening), after two stages of
     * four.
     */
    static final int CLASSIFIER_START = 8;

    private SmallCnn() {}

    /**
     * Builds the network.
     *
     * @param imageSize height and width of the input; at least 4 for the two poolings
     * @param classes number of output logits
     */
    static Block build(int imageSize, int classes) {
        if (imageSize < 4) {
            throw new IllegalArgumentException(
                    "the cnn pools twice by 2 and needs images of at least 4x4, not " + imageSize);
        }
        return new SequentialBlock()
                .add(Conv.beforeBatchNorm(32, 3, 1))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv.beforeBatchNorm(64, 3, 1))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(128).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(classes).build());
    }
}
