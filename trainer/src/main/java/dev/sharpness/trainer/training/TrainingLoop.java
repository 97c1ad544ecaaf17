package dev.sharpness.trainer.training;

import ai.djl.ndarray.NDManager;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.exchange.StepIntent;
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
     * @param history a row per finished epoch, and one for a partial epoch that {@code maxSteps}
     *     cut short
     */
    record End(long step, boolean atMaxSteps, List<EpochMetrics> history) {}

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
        while (state.epoch() < plan.epochs()) {
            if (step >= plan.lastStep()) {
                return endAtMaxSteps(step, learningRate);
            }
            learningRate = plan.schedule().at(step);
            trainStep(step, learningRate);
            step++;
        }
        progress.finished();
        return new End(step, false, state.history());
    }

    /** Global step {@code step} and all that follows it, up to the checkpoint and the stop. */
    private void trainStep(long step, double learningRate) {
        boolean stopAsked = stop.requested();
        boolean checkpointDue =
                workers.writesState() && plan.checkpoints().dueAfter(step, stopAsked);
        workers.beforeStep(new StepIntent(checkpointDue, stopAsked));
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
        boolean stopping = workers.agreeToStop(stopAsked, stop.requested());
        Path saved = null;
        if (workers.writesState() && (checkpointDue || stopping)) {
            saved = checkpoints.save(state.position(clock.seconds()), done);
        }
        if (stopping) {
            LOG.info("stopping after step {} as asked", done);
            throw new StoppedException(done, saved);
        }
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

    /** Evaluates the finished epoch and keeps the model if its validation accuracy is the best. */
    private void endEpoch(long step, double learningRate) {
        EpochMetrics metrics = evaluate(step, learningRate);
        if (state.endEpoch(metrics) && workers.writesState()) {
            checkpoints.saveBestModel(step);
        }
        progress.epochEnded(metrics);
    }

    private End endAtMaxSteps(long step, double learningRate) {
        List<EpochMetrics> history = new ArrayList<>(state.history());
        if (state.epochStarted()) {
            // A partial epoch still gets a row: the summary must describe the model it returns.
            history.add(evaluate(step, learningRate));
        }
        progress.finished();
        return new End(step, true, history);
    }

    private EpochMetrics evaluate(long step, double learningRate) {
        Evaluator.Result test = evaluator.test();
        Evaluator.Result validation = evaluator.validation();
        return state.metrics(step, learningRate, clock.seconds(), test, validation);
    }
}
