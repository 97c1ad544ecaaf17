package dev.sharpness.trainer.training;

import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.optim.Objective;
import dev.sharpness.trainer.optim.TrainingMethod;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What differs between training alone and as one rank of a SAMPa pair, as the training loop sees
 * it: which method trains, forming the group (and handing resume state to rank 1), what happens
 * before and after each step, and how the workers agree to stop. {@link SingleWorker} does nothing
 * around a step and ends at once; {@link WorkerPair} talks to its peer through the pair exchange.
 */
sealed interface WorkerGroup extends AutoCloseable permits SingleWorker, WorkerPair {

    /** 1 alone, 2 for a pair. */
    int size();

    /** Whether this worker writes checkpoints and the best model: alone, or rank 0 of a pair. */
    boolean writesState();

    /**
     * This worker's training method of {@code spec}, taking over from plain base-optimizer steps at
     * {@code firstSharpStep}; its state tensors owned by {@code owner}.
     */
    TrainingMethod<Batch> method(
            OptimizerSpec spec, Objective<Batch> objective, NDManager owner, long firstSharpStep);

    /**
     * Forms the group once the model exists and a worker that writes state has restored it.
     *
     * @param resumeState the checkpoint this worker resumed from as {@link RunCheckpoints#encode}
     *     writes it, for rank 1 to continue from; empty when starting fresh. Asked for only by rank
     *     0 of a pair.
     * @return the checkpoint another worker handed to this one (rank 1 of a resumed pair), else
     *     empty
     */
    byte[] join(Network network, Supplier<byte[]> resumeState);

    /** How the run goes on after a step, as the workers agreed. */
    enum Next {
        CONTINUE,
        /** A stop was asked for: checkpoint and exit as stopped. */
        STOP,
        /** Early stopping ended the run: it finishes with a summary. */
        END
    }

    /**
     * Before a step: tells the peer what this worker will do after it.
     *
     * @param endAnnounced early stopping, decided at an earlier evaluation, ends the run after this
     *     step (only a worker that writes state decides it)
     */
    void beforeStep(boolean checkpointDue, boolean stopAsked, boolean endAnnounced);

    /**
     * After a step, {@code stepsDone} steps into the run: checks that the replicas are identical
     * when a check is due, and brings rank 1's state to rank 0 when rank 0 checkpoints next.
     */
    void afterStep(long stepsDone, NDManager root);

    /**
     * Whether the run stops or ends after the step just taken. A stop asked for wins over an end.
     *
     * @param askedBefore a stop was asked for before the step (and told the peer)
     * @param askedNow a stop has been asked for by now
     * @param endAnnounced early stopping was announced before the step ({@link #beforeStep})
     * @param endNow early stopping has decided by now (the step's evaluation)
     */
    Next agree(boolean askedBefore, boolean askedNow, boolean endAnnounced, boolean endNow);

    /** This worker's loss diverged at {@code step}: the peer, if any, learns why the run ends. */
    void diverged(long step, String message);

    /** How the gradient swaps went; null alone. */
    SwapStats exchangeStats();

    /**
     * Where this worker's steps go, phase by phase, in median milliseconds (see {@link
     * dev.sharpness.trainer.optim.SampaWorker#phaseMillis}); null alone.
     */
    Map<String, Double> stepPhaseMillis();

    /**
     * The gradient pass against the swap as this worker last told its listeners ({@link
     * dev.sharpness.trainer.training.listener.ProgressListener#paced}): rank 0 of a pair only;
     * empty alone, on rank 1, and before.
     */
    Optional<SwapPace> pace();

    @Override
    void close();
}
