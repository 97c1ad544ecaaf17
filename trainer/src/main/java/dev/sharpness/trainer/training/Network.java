package dev.sharpness.trainer.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.trainer.model.Models;
import dev.sharpness.trainer.optim.ParamVector;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An initialized network and its tensors: the trainable vector x, the BatchNorm running statistics,
 * and every tensor by name in a fixed order (for checkpoints and checksums).
 */
public final class Network implements AutoCloseable {
    private final NDManager manager;
    private final Block block;
    private final ParameterStore store;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final ParamVector trainable;
    private final List<String> trainableNames = new ArrayList<>();
    private final ParamVector batchNormBuffers;
    private final List<Block> layers; // the network's top-level blocks, input first
    private final int cut; // layers[cut..] are above the backward cut (Models.backwardCut)
    private final int firstTensorAbove; // of trainable: the first above the cut

    private Network(NDManager manager, Block block, int cut) {
        this.manager = manager;
        this.block = block;
        this.store = new ParameterStore(manager, false);
        List<NDArray> weights = new ArrayList<>();
        List<NDArray> buffers = new ArrayList<>();
        for (Pair<String, Parameter> named : block.getParameters()) {
            Parameter p = named.getValue();
            tensors.put(named.getKey(), p.getArray());
            if (p.requiresGradient()) {
                weights.add(p.getArray());
                trainableNames.add(named.getKey());
            } else if (p.getType() == Parameter.Type.RUNNING_MEAN
                    || p.getType() == Parameter.Type.RUNNING_VAR) {
                buffers.add(p.getArray());
            }
        }
        this.trainable = new ParamVector(weights);
        this.batchNormBuffers = buffers.isEmpty() ? null : new ParamVector(buffers);
        this.layers = List.copyOf(block.getChildren().values());
        this.cut = cut;
        this.firstTensorAbove = firstTensorAbove(layers.subList(cut, layers.size()), weights);
    }

    /**
     * Where the trainable tensors of {@code above} begin in {@code weights}: they must be its last
     * ones, in order, so that the gradient's part that is final first is the end of the vector.
     */
    private static int firstTensorAbove(List<Block> above, List<NDArray> weights) {
        List<NDArray> tensors = new ArrayList<>();
        for (Block layer : above) {
            for (Pair<String, Parameter> named : layer.getParameters()) {
                if (named.getValue().requiresGradient()) {
                    tensors.add(named.getValue().getArray());
                }
            }
        }
        int first = weights.size() - tensors.size();
        boolean last = !tensors.isEmpty() && first > 0;
        for (int i = 0; last && i < tensors.size(); i++) {
            last = tensors.get(i) == weights.get(first + i);
        }
        if (!last) {
            throw new IllegalStateException(
                    "the blocks above the backward cut must hold the last trainable tensors, and"
                            + " not all of them");
        }
        return first;
    }

    /**
     * Builds and initializes {@code architecture} for samples of shape (C, H, W). The same seed
     * gives the same initial parameters, bit for bit.
     */
    public static Network create(
            ModelSpec.Architecture architecture,
            int channels,
            int imageSize,
            int classes,
            long seed,
            NDManager parent) {
        NDManager manager = parent.newSubManager();
        Block block = Models.build(architecture, channels, imageSize, classes);
        Engine.getInstance().setRandomSeed((int) seed);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, channels, imageSize, imageSize));
        return new Network(manager, block, Models.backwardCut(architecture));
    }

    /** The trainable parameters x, live. */
    public ParamVector trainable() {
        return trainable;
    }

    /** The trainable tensors' names, in {@link #trainable()} order. */
    public List<String> trainableNames() {
        return List.copyOf(trainableNames);
    }

    /** BatchNorm running means and variances, live; empty for networks without BatchNorm. */
    public Optional<ParamVector> batchNormBuffers() {
        return Optional.ofNullable(batchNormBuffers);
    }

    /** Every tensor of the model (trainable and buffers) by its block path, in a fixed order. */
    public Map<String, NDArray> tensors() {
        return tensors;
    }

    /** Forward pass: images (N, C, H, W) to logits (N, classes). */
    public NDArray logits(NDArray images, boolean training) {
        return block.forward(store, new NDList(images), training).singletonOrThrow();
    }

    /**
     * The forward pass in two parts, split at the backward cut ({@link Models#backwardCut}): images
     * to the activation entering the cut. {@code aboveCut(belowCut(images))} computes exactly what
     * {@link #logits} computes, bit for bit.
     */
    public NDArray belowCut(NDArray images, boolean training) {
        return forward(0, cut, images, training);
    }

    /** The forward pass from the activation entering the backward cut to the logits. */
    public NDArray aboveCut(NDArray activation, boolean training) {
        return forward(cut, layers.size(), activation, training);
    }

    /**
     * The first of {@link #trainable()}'s tensors that belong to the blocks above the backward cut;
     * they and all after it do, none before it.
     */
    public int firstTensorAboveCut() {
        return firstTensorAbove;
    }

    private NDArray forward(int from, int to, NDArray input, boolean training) {
        NDList h = new NDList(input);
        for (Block layer : layers.subList(from, to)) {
            h = layer.forward(store, h, training);
        }
        return h.singletonOrThrow();
    }

    /** SHA-256 over every tensor's bytes in {@link #tensors()} order, as lowercase hex. */
    public String checksum() {
        return HexFormat.of().formatHex(sha256(tensors.values()));
    }

    /**
     * SHA-256 of the trainable tensors only: what the two ranks of a pair must agree on (each keeps
     * its own BatchNorm statistics).
     */
    public byte[] trainableChecksum() {
        return sha256(trainable.tensors());
    }

    private static byte[] sha256(Collection<NDArray> arrays) {
        // On a GPU each tensor's bytes come to the host in a copy that would otherwise stay
        // attached to the network's manager: a pair checks this every checksumEverySteps.
        try (NDManager scope = ParamVector.scopeOver(arrays)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (NDArray t : arrays) {
                digest.update(t.toByteBuffer());
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public long parameterCount() {
        return trainable.elementCount();
    }

    @Override
    public void close() {
        manager.close();
    }
}
