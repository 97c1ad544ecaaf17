package dev.sharpness.trainer.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.initializer.XavierInitializer.FactorType;
import ai.djl.training.initializer.XavierInitializer.RandomType;
import dev.sharpness.api.v1alpha1.ModelSpec;

/**
 * Builds the network named in a job's {@link ModelSpec}.
 *
 * <p>Every block maps {@code NDList(images)} with images float32 {@code (N, C, H, W)} to {@code
 * NDList(logits)} of shape {@code (N, classes)}. Blocks come back uninitialized, with their
 * initializers set: He-normal (fan-in) weights for convolutions and linear layers, zero biases, and
 * DJL's batch-norm defaults (gamma 1, beta 0, running mean 0, running variance 1). Call {@code
 * Engine.getInstance().setRandomSeed(seed)} before {@code block.initialize(manager,
 * DataType.FLOAT32, new Shape(1, channels, imageSize, imageSize))} for a reproducible start.
 */
public final class Models {
    /** He et al. (2015): normal with standard deviation sqrt(2 / fan_in). */
    private static final Initializer HE_NORMAL =
            new XavierInitializer(RandomType.GAUSSIAN, FactorType.IN, 2);

    private Models() {}

    /**
     * Builds an uninitialized network.
     *
     * @param architecture which network
     * @param channels input channels (1 for Fashion-MNIST, 3 for CIFAR)
     * @param imageSize height and width of the square input images
     * @param classes number of output logits
     * @return the block, with initializers set but no parameter arrays yet
     * @throws IllegalArgumentException if a size is not positive, or the images are too small for
     *     the architecture's pooling
     */
    public static Block build(
            ModelSpec.Architecture architecture, int channels, int imageSize, int classes) {
        requirePositive("channels", channels);
        requirePositive("imageSize", imageSize);
        requirePositive("classes", classes);
        // Layer shapes are inferred from the input shape at initialize(); channels and imageSize
        // only decide here whether the architecture can take such images at all.
        Block block =
                switch (architecture) {
                    case RESNET20 -> CifarResNet.build(20, classes);
                    case RESNET32 -> CifarResNet.build(32, classes);
                    case RESNET56 -> CifarResNet.build(56, classes);
                    case WRN_28_2 -> WideResNet.build(28, 2, classes);
                    case WRN_28_10 -> WideResNet.build(28, 10, classes);
                    case CNN -> SmallCnn.build(imageSize, classes);
                    case MLP -> Mlp.build(classes);
                };
        // DJL's default for weights is the same He-normal today; naming it keeps the start of
        // training fixed if that default ever changes.
        block.setInitializer(HE_NORMAL, Parameter.Type.WEIGHT);
        block.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        return block;
    }

    /**
     * Where a backward pass through {@code architecture} splits best in two, as the index of a
     * top-level block of {@link #build}'s network (a {@code SequentialBlock}): the gradients of the
     * blocks from there up are final first, and a SAMPa rank can send them while it computes the
     * rest. The cut sits where the parameters above are many and their backward pass is short:
     * before the last stage of a ResNet (about three quarters of WRN-28-10's parameters, a third of
     * its compute), before the CNN's classifier (nearly all of its parameters), and before the
     * MLP's second layer (a quarter: its first layer holds the rest).
     */
    public static int backwardCut(ModelSpec.Architecture architecture) {
        return switch (architecture) {
            case RESNET20 -> CifarResNet.lastStageStart(20);
            case RESNET32 -> CifarResNet.lastStageStart(32);
            case RESNET56 -> CifarResNet.lastStageStart(56);
            case WRN_28_2, WRN_28_10 -> WideResNet.lastStageStart(28);
            case CNN -> SmallCnn.CLASSIFIER_START;
            case MLP -> Mlp.SECOND_LAYER;
        };
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
