package dev.sharpness.trainer.model;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

/**
 * A multilayer perceptron on the flattened image: 512 and 256 ReLU units, then the logits (about
 * 536k parameters at 28x28x1). It has no batch norm.
 */
final class Mlp {
    /** The index of the second linear layer among the network's top-level blocks. */
    static final int SECOND_LAYER = 3;

    private Mlp() {}

    /**
     * Builds the network.
     *
     * @param classes number of output logits
     */
    static Block build(int classes) {
        return new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(512).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(256).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(classes).build());
    }
}
