package dev.sharpness.trainer.model;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/**
 * The CIFAR ResNets of He et al., "Deep Residual Learning for Image Recognition" (2016), section
 * 4.2: depth 6n+2, a 16-channel 3x3 stem, three stages of n basic blocks with 16, 32 and 64
 * channels, global average pooling and one linear layer. Where a block changes the shape, its
 * shortcut is a strided 1x1 convolution with batch norm (the paper's option B).
 */
final class CifarResNet {
    private static final int[] STAGE_WIDTHS = {16, 32, 64};

    /** The stem's top-level blocks: convolution, batch norm, ReLU. */
    private static final int STEM_BLOCKS = 3;

    private CifarResNet() {}

    /**
     * Builds ResNet-{@code depth}.
     *
     * @param depth 6n+2 layers: 20, 32, 44, 56, 110, ...
     * @param classes number of output logits
     */
    static Block build(int depth, int classes) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("a CIFAR ResNet has depth 6n+2, not " + depth);
        }
        int blocksPerStage = (depth - 2) / 6;
        SequentialBlock net =
                new SequentialBlock()
                        .add(Conv.beforeBatchNorm(STAGE_WIDTHS[0], 3, 1))
                        .add(BatchNorm.builder().build())
                        .add(Activation.reluBlock());
        int inChannels = STAGE_WIDTHS[0];
        for (int stage = 0; stage < STAGE_WIDTHS.length; stage++) {
            for (int i = 0; i < blocksPerStage; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                net.add(basicBlock(inChannels, STAGE_WIDTHS[stage], stride));
                inChannels = STAGE_WIDTHS[stage];
            }
        }
        return net.add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(classes).build());
    }

    /** The index of the last stage's first block among the network's top-level blocks. */
    static int lastStageStart(int depth) {
        int blocksPerStage = (depth - 2) / 6;
        return STEM_BLOCKS + 2 * blocksPerStage;
    }

    /** conv3x3-BN-ReLU-conv3x3-BN, plus the shortcut, then ReLU. */
    private static Block basicBlock(int inChannels, int outChannels, int stride) {
        Block branch =
                new SequentialBlock()
                        .add(Conv.beforeBatchNorm(outChannels, 3, stride))
                        .add(BatchNorm.builder().build())
                        .add(Activation.reluBlock())
                        .add(Conv.beforeBatchNorm(outChannels, 3, 1))
                        .add(BatchNorm.builder().build());
        Block shortcut =
                inChannels == outChannels && stride == 1
                        ? Blocks.identityBlock()
                        : new SequentialBlock()
                                .add(Conv.beforeBatchNorm(outChannels, 1, stride))
                                .add(BatchNorm.builder().build());
        return new SequentialBlock().add(Residual.of(branch, shortcut)).add(Activation.reluBlock());
    }
}
