package dev.sharpness.trainer.training;

import dev.sharpness.trainer.optim.StepResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loop's bookkeeping: where the run stands, the running sums of the epoch in progress,
 * the history and the watch on its monitored metric (best so far, early stopping). Saved in every
 * checkpoint as a {@link RunPosition}, and made from one on resume, so a resumed run counts on
 * exactly where the interrupted one stopped.
 */
final class LoopState {
    private final String specHash;
    private final double previousWallSeconds;
    private final List<EpochMetrics> history;
    private int epoch;
    private int batchInEpoch;
    private long sequentialGradients;
    private double epochLossSum;
    private long epochCorrect;
    private long epochSamples;
    private final MetricWatch watch;

    /** The state at {@code p}, with {@code watch} caught up on {@code p}'s history. */
    LoopState(RunPosition p, MetricWatch watch) {
        specHash = p.specHash();
        epoch = p.epoch();
        batchInEpoch = p.batchInEpoch();
        sequentialGradients = p.sequentialGradients();
        epochLossSum = p.epochLossSum();
        epochCorrect = p.epochCorrect();
        epochSamples = p.epochSamples();
        previousWallSeconds = p.wallSeconds();
        history = new ArrayList<>(p.history());
        this.watch = watch;
        history.forEach(watch::observe);
    }

    /** The state of a run that has not trained yet. */
    static RunPosition start(String specHash) {
        return new RunPosition(specHash, 0, 0, 0, 0, 0, 0, 0, null, null, new ArrayList<>());
    }

    /** The global step the position stands at, counted from 0. */
    static long stepOf(RunPosition position, int stepsPerEpoch) {
        return (long) position.epoch() * stepsPerEpoch + position.batchInEpoch();
    }

    /** Counts a finished step into the epoch in progress. */
    void record(StepResult result) {
        sequentialGradients += result.sequentialGradients();
        epochLossSum += result.loss() * result.samples();
        epochCorrect += result.correct();
        epochSamples += result.samples();
        batchInEpoch++;
    }

    /** Whether the epoch in progress has seen all its batches. */
    boolean epochComplete(int stepsPerEpoch) {
        return batchInEpoch == stepsPerEpoch;
    }

    /** Whether steps of an epoch not yet evaluated were trained. */
    boolean epochStarted() {
        return epochSamples > 0;
    }

    /**
     * The metrics row of the epoch in progress, as of {@code step}.
     *
     * @param validation null when the job holds out no validation set
     * @param sessionSeconds wall time of this session; earlier sessions' time is added
     */
    EpochMetrics metrics(
            long step,
            double learningRate,
            double sessionSeconds,
            Evaluator.Result test,
            Evaluator.Result validation) {
        return new EpochMetrics(
                epoch,
                step,
                learningRate,
                epochLossSum / epochSamples,
                (double) epochCorrect / epochSamples,
                validation == null ? null : validation.loss(),
                validation == null ? null : validation.accuracy(),
                test.loss(),
                test.accuracy(),
                sequentialGradients,
                previousWallSeconds + sessionSeconds);
    }

    /**
     * Closes the epoch in progress with its row {@code m} and starts the next one; whether {@code
     * m} is the best evaluation so far by the monitored metric.
     */
    boolean endEpoch(EpochMetrics m) {
        history.add(m);
        boolean best = watch.observe(m);
        epoch++;
        batchInEpoch = 0;
        epochLossSum = 0;
        epochCorrect = 0;
        epochSamples = 0;
        return best;
    }

    /**
     * Takes the row of a partial epoch that ends the run ({@code maxSteps}, or a pair's step after
     * an early stop); whether it is the best evaluation so far.
     */
    boolean endPartialEpoch(EpochMetrics m) {
        return watch.observe(m);
    }

    /** Whether early stopping ends the run after its last evaluation. */
    boolean endedEarly() {
        return watch.ended();
    }

    /** The step of the last full epoch's evaluation; -1 before the first. */
    long lastEvaluatedStep() {
        return history.isEmpty() ? -1 : history.get(history.size() - 1).step();
    }

    MetricWatch watch() {
        return watch;
    }

    /** What a checkpoint saves, {@code sessionSeconds} into this session. */
    RunPosition position(double sessionSeconds) {
        return new RunPosition(
                specHash,
                epoch,
                batchInEpoch,
                sequentialGradients,
                epochLossSum,
                epochCorrect,
                epochSamples,
                previousWallSeconds + sessionSeconds,
                bestValidationAccuracy(),
                bestEpoch(),
                history);
    }

    int epoch() {
        return epoch;
    }

    long sequentialGradients() {
        return sequentialGradients;
    }

    double previousWallSeconds() {
        return previousWallSeconds;
    }

    /** The validation accuracy of the best evaluation; null before a validated one. */
    Double bestValidationAccuracy() {
        return watch.best() == null ? null : watch.best().validationAccuracy();
    }

    /** The best evaluation's epoch, counted from 0 as checkpoints count it; null before one. */
    Integer bestEpoch() {
        return watch.best() == null ? null : watch.best().epoch();
    }

    /** The rows of the finished epochs. */
    List<EpochMetrics> history() {
        return List.copyOf(history);
    }
}
