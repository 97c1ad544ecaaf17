package dev.sharpness.trainer.model;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/**
 * The wide ResNets WRN-d-k of Zagoruyko and Komodakis, "Wide Residual Networks" (2016): a
 * 16-channel 3x3 stem, three stages of (d-4)/6 pre-activation basic blocks
 * (BN-ReLU-conv3x3-BN-ReLU-conv3x3) with 16k, 32k and 64k channels, a final BN-ReLU, global average
 * pooling and one linear layer. No dropout; a 1x1 convolution is the shortcut wherever a block
 * changes the shape.
 */
final class WideResNet {
    private static final int[] STAGE_BASE_WIDTHS = {16, 32, 64};

    private WideResNet() {}

    /**
     * Builds WRN-{@code depth}-{@code widen}.
     *
     * @param depth 6n+4 layers: 16, 22, 28, 40, ...
     * @param widen the widening factor k
     * @param classes number of output logits
     */
    static Block build(int depth, int widen, int classes) {
        if (depth < 10 || (depth - 4) % 6 != 0) {
            throw new IllegalArgumentException("a wide ResNet has depth 6n+4, not " + depth);
        }
        int blocksPerStage = (depth - 4) / 6;
        SequentialBlock net = new SequentialBlock().add(Conv.beforeBatchNorm(16, 3, 1));
        int inChannels = 16;
        for (int stage = 0; stage < STAGE_BASE_WIDTHS.length; stage++) {
            int width = STAGE_BASE_WIDTHS[stage] * widen;
            for (int i = 0; i < blocksPerStage; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                net.add(preActivationBlock(inChannels, width, stride));
                inChannels = width;
            }
        }
        return net.add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(classes).build());
    }

    /**
     * The index of the last stage's first block among the network's top-level blocks, after the
     * stem's one convolution.
     */
    static int lastStageStart(int depth) {
        int blocksPerStage = (depth - 4) / 6;
        return 1 + 2 * blocksPerStage;
    }

    private static Block preActivationBlock(int inChannels, int outChannels, int stride) {
        Block branch =
                new SequentialBlock()
                        .add(Conv.beforeBatchNorm(outChannels, 3, stride))
                        .add(BatchNorm.builder().build())
                        .add(Activation.reluBlock())
                        .add(Conv.beforeBatchNorm(outChannels, 3, 1));
        if (inChannels == outChannels && stride == 1) {
            return Residual.of(
                    new SequentialBlock()
                            .add(BatchNorm.builder().build())
                            .add(Activation.reluBlock())
                            .add(branch),
                    Blocks.identityBlock());
        }
        // As in the authors' code, the projection reads the pre-activated input, not the raw one.
        return new SequentialBlock()
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Residual.of(branch, Conv.beforeBatchNorm(outChannels, 1, stride)));
    }
}
