package dev.sharpness.trainer.training;

import ai.djl.ndarray.NDManager;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.optim.Batches;
import dev.sharpness.trainer.optim.StepResult;
import dev.sharpness.trainer.optim.TrainingMethod;
import dev.sharpness.trainer.training.listener.ProgressListener;
import dev.sharpness.trainer.training.listener.StepReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step loop of a run, as DJL's {@code EasyTrain.fit} shapes it: take a step, tell the
 * listeners, evaluate at the end of an epoch, checkpoint when the policy says so, and stop when
 * asked. Everything that differs for one rank of a pair happens in its {@link WorkerGroup}.
 */
final class TrainingLoop {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

    /**
     * How the loop ended when it was not stopped.
     *
     * @param atMaxSteps {@code maxSteps} ended it before the last epoch did
     * @param earlyStop where and why early stopping ended it, else null
     * @param history a row per finished epoch, and one for a partial epoch that {@code maxSteps}
     *     (or a pair's step after an early stop) cut short
     */
    record End(long step, boolean atMaxSteps, EarlyStop earlyStop, List<EpochMetrics> history) {}

    private final RunPlan plan;
    private final TrainingMethod<Batch> method;
    private final Batches<Batch> batches;
    private final WorkerGroup workers;
    private final RunCheckpoints checkpoints;
    private final Evaluator evaluator;
    private final LoopState state;
    private final SessionClock clock;
    private final StopRequest stop;
    private final ProgressListener progress;
    private final NDManager root;

    TrainingLoop(
            RunPlan plan,
            TrainingMethod<Batch> method,
            Batches<Batch> batches,
            WorkerGroup workers,
            RunCheckpoints checkpoints,
            Evaluator evaluator,
            LoopState state,
            SessionClock clock,
            StopRequest stop,
            ProgressListener progress,
            NDManager root) {
        this.plan = plan;
        this.method = method;
        this.batches = batches;
        this.workers = workers;
        this.checkpoints = checkpoints;
        this.evaluator = evaluator;
        this.state = state;
        this.clock = clock;
        this.stop = stop;
        this.progress = progress;
        this.root = root;
    }

    /**
     * Trains from global step {@code firstStep} to the last epoch or {@code maxSteps}, whichever
     * comes first.
     *
     * @throws StoppedException when a stop was asked for, after the checkpoint it calls for
     * @throws DivergedException when the loss is no longer finite
     */
    End fit(long firstStep) {
        long step = firstStep;
        double learningRate = plan.schedule().at(step);
        progress.started(plan.lastStep(), step);
        // A resumed run that early stopping had ended is over; a pair resumed at the deciding
        // evaluation still takes the step that carries rank 0's decision to rank 1.
        boolean over = workers.size() == 1 || step > state.lastEvaluatedStep();
        if (state.endedEarly() && over) {
            return endBeforeLastEpoch(step, learningRate, false);
        }
        while (state.epoch() < plan.epochs()) {
            if (step >= plan.lastStep()) {
                return endBeforeLastEpoch(step, learningRate, true);
            }
            learningRate = plan.schedule().at(step);
            boolean ended = trainStep(step, learningRate);
            step++;
            if (ended) {
                return endBeforeLastEpoch(step, learningRate, false);
            }
        }
        progress.finished();
        return new End(step, false, null, state.history());
    }

    /**
     * Global step {@code step} and all that follows it, up to the checkpoint and the stop; whether
     * early stopping ends the run after it.
     */
    private boolean trainStep(long step, double learningRate) {
        boolean stopAsked = stop.requested();
        boolean endAnnounced = endDecided();
        boolean checkpointDue =
                workers.writesState() && plan.checkpoints().dueAfter(step, stopAsked);
        workers.beforeStep(checkpointDue, stopAsked, endAnnounced);
        StepResult result = timedStep(step, learningRate);
        if (!Double.isFinite(result.loss())) {
            DivergedException diverged = new DivergedException(step, state.epoch(), result.loss());
            workers.diverged(step, diverged.getMessage());
            throw diverged;
        }
        state.record(result);
        long done = step + 1;
        workers.afterStep(done, root);
        StepReport report =
                new StepReport(
                        done,
                        state.epoch(),
                        result.loss(),
                        (double) result.correct() / result.samples(),
                        learningRate,
                        clock.lastStepSeconds());
        progress.stepped(report);
        if (plan.logs(done)) {
            progress.logged(report);
        }
        if (state.epochComplete(plan.stepsPerEpoch())) {
            endEpoch(done, learningRate);
        }
        WorkerGroup.Next next =
                workers.agree(stopAsked, stop.requested(), endAnnounced, endDecided());
        Path saved = null;
        if (workers.writesState() && (checkpointDue || next != WorkerGroup.Next.CONTINUE)) {
            saved = checkpoints.save(state.position(clock.seconds()), done);
        }
        if (next == WorkerGroup.Next.STOP) {
            LOG.info("stopping after step {} as asked", done);
            throw new StoppedException(done, saved);
        }
        return next == WorkerGroup.Next.END;
    }

    /**
     * Only a worker that writes state decides an early stop: rank 1's evaluation does not count.
     */
    private boolean endDecided() {
        return workers.writesState() && state.endedEarly();
    }

    private StepResult timedStep(long step, double learningRate) {
        long start = System.nanoTime();
        StepResult result;
        try (NDManager scope = root.newSubManager()) {
            result = method.step(step, batches, learningRate, scope);
        }
        clock.stepTook(System.nanoTime() - start);
        return result;
    }

    /**
     * Evaluates the finished epoch and keeps the model if it is the best by the monitored metric.
     */
    private void endEpoch(long step, double learningRate) {
        EpochMetrics metrics = evaluate(step, learningRate);
        if (state.endEpoch(metrics) && workers.writesState()) {
            checkpoints.saveBestModel(state.position(clock.seconds()), step);
        }
        progress.epochEnded(metrics);
    }

    /** The end by {@code maxSteps} ({@code atMaxSteps}) or by early stopping. */
    private End endBeforeLastEpoch(long step, double learningRate, boolean atMaxSteps) {
        List<EpochMetrics> history = new ArrayList<>(state.history());
        EarlyStop early = atMaxSteps ? null : EarlyStop.of(state.watch(), workers.writesState());
        if (early != null) {
            LOG.info("ending after step {}: {}", step, early.reason());
        }
        if (state.epochStarted()) {
            // A partial epoch still gets a row: the summary must describe the model it returns,
            // and "best" must mean the best evaluated point, this one included.
            EpochMetrics partial = evaluate(step, learningRate);
            history.add(partial);
            if (state.endPartialEpoch(partial) && workers.writesState()) {
                checkpoints.saveBestModel(state.position(clock.seconds()), step);
            }
        }
        progress.finished();
        return new End(step, atMaxSteps, early, history);
    }

    private EpochMetrics evaluate(long step, double learningRate) {
        Evaluator.Result test = evaluator.test();
        Evaluator.Result validation = evaluator.validation();
        return state.metrics(step, learningRate, clock.seconds(), test, validation);
    }
}
