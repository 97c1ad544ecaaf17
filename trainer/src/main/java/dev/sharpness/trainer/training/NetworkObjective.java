package dev.sharpness.trainer.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.optim.BatchNormMode;
import dev.sharpness.trainer.optim.Gradient;
import dev.sharpness.trainer.optim.Objective;
import dev.sharpness.trainer.optim.ParamVector;
import dev.sharpness.trainer.optim.SampleSelection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mean cross-entropy of a network on a minibatch, differentiated by PyTorch's autograd. */
public final class NetworkObjective implements Objective<Batch>, SampleSelection<Batch> {
    private final Network network;
    private final CrossEntropy loss;

    public NetworkObjective(Network network, double labelSmoothing, int classes) {
        this.network = network;
        this.loss = new CrossEntropy(labelSmoothing, classes);
    }

    @Override
    public ParamVector parameters() {
        return network.trainable();
    }

    @Override
    public Optional<ParamVector> batchNormStatistics() {
        return network.batchNormBuffers();
    }

    @Override
    public SampleLosses perSampleLosses(Batch batch, NDManager scope) {
        Optional<ParamVector> statistics = network.batchNormBuffers();
        try (NDManager pass = scope.newSubManager()) {
            ParamVector saved = statistics.map(s -> s.copy(pass)).orElse(null);
            pass.tempAttachAll(batch.images(), batch.labels());
            // Training mode, as the gradient passes see the batch; no collector, so no graph.
            NDArray logits = network.logits(batch.images(), true);
            float[] losses = loss.perSample(logits, batch.labels()).toFloatArray();
            long correct = CrossEntropy.correct(logits, batch.labels());
            if (saved != null) {
                statistics.get().assign(saved);
            }
            return new SampleLosses(losses, correct);
        }
    }

    @Override
    public int size(Batch batch) {
        return batch.indices().length;
    }

    @Override
    public Batch select(Batch batch, int[] rows, NDManager owner) {
        NDArray index = owner.create(rows).toType(DataType.INT64, false);
        NDIndex pick = new NDIndex("{}", index);
        int[] indices = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            indices[i] = batch.indices()[rows[i]];
        }
        NDArray images = batch.images().get(pick);
        NDArray labels = batch.labels().get(pick);
        images.attach(owner);
        labels.attach(owner);
        return new Batch(images, labels, indices);
    }

    @Override
    public Gradient gradient(Batch batch, BatchNormMode mode, NDManager into) {
        return gradient(batch, mode, into, null);
    }

    /**
     * With {@code early}, the backward pass runs in two parts, split at the network's backward cut
     * ({@link Network#belowCut}): from the loss down to the cut, whose activation enters the upper
     * part detached, as a leaf of its own; then the upper part's gradients go to {@code early}, and
     * the pass goes on from the cut's gradient down. Each parameter lies on one side of the cut, so
     * its gradient is the one the whole pass gives, bit for bit.
     */
    @Override
    public Gradient gradient(Batch batch, BatchNormMode mode, NDManager into, EarlyGradient early) {
        Optional<ParamVector> statistics = network.batchNormBuffers();
        ParamVector saved =
                mode == BatchNormMode.FREEZE && statistics.isPresent()
                        ? statistics.get().copy(into)
                        : null;
        int count = network.trainable().size();
        int first = early == null ? count : network.firstTensorAboveCut();
        List<NDArray> above = List.of();
        double meanLoss;
        long correct;
        // Activations attach to the batch's manager; a scope of their own frees them (and the
        // autograd graph) as soon as the gradients are out, before SAM's second pass allocates.
        try (NDManager pass = into.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            pass.tempAttachAll(batch.images(), batch.labels());
            NDArray below = null;
            NDArray cut = null;
            NDArray logits;
            if (early == null) {
                logits = network.logits(batch.images(), true);
            } else {
                below = network.belowCut(batch.images(), true);
                cut = below.stopGradient();
                cut.setRequiresGradient(true);
                logits = network.aboveCut(cut, true);
            }
            NDArray mean = loss.perSample(logits, batch.labels()).mean();
            collector.backward(mean);
            if (early != null) {
                above = takeGradients(first, count, into);
                early.ready(first, above);
                JniUtils.backward((PtNDArray) below, (PtNDArray) cut.getGradient(), false, false);
            }
            meanLoss = mean.getFloat();
            correct = CrossEntropy.correct(logits, batch.labels());
        }
        if (saved != null) {
            statistics.get().assign(saved);
        }
        List<NDArray> gradients = takeGradients(0, first, into);
        gradients.addAll(above);
        return new Gradient(
                new ParamVector(gradients), meanLoss, correct, (int) batch.labels().size());
    }

    /**
     * Copies the accumulated gradients of the trainable tensors {@code from} to {@code to} out and
     * zeroes them: PyTorch adds each backward pass into the same buffers, and SAM runs two passes
     * per step.
     */
    private List<NDArray> takeGradients(int from, int to, NDManager into) {
        List<NDArray> x = network.trainable().tensors().subList(from, to);
        List<NDArray> gradients = new ArrayList<>(network.trainable().size());
        for (NDArray p : x) {
            try (NDArray accumulated = p.getGradient()) {
                NDArray copy = accumulated.duplicate();
                copy.attach(into);
                gradients.add(copy);
            }
            JniUtils.zeroGrad((PtNDArray) p);
        }
        return gradients;
    }
}
