package dev.sharpness.trainer.training.listener;

import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.training.EpochMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** Hears how a run advances: a progress bar, log lines, a metrics endpoint. */
public interface ProgressListener {
    /** Called once before the first step; {@code startStep} is non-zero on resume. */
    default void started(long totalSteps, long startStep) {}

    /** Called after every step. */
    default void stepped(StepReport report) {}

    /**
     * Called after {@link #stepped} every {@code spec.training.logEverySteps} steps and at the
     * run's last step: the points of steps.csv and of the step curves.
     */
    default void logged(StepReport report) {}

    /** Called after each evaluation. */
    default void epochEnded(EpochMetrics metrics) {}

    /**
     * Called when a checkpoint was written, and on resume for the checkpoint the run continues
     * from.
     */
    default void checkpointed(long step, Path file, long unixMillis) {}

    /** Called once the pair has formed; {@code exchange} tells how the swaps went so far. */
    default void paired(Supplier<SwapStats> exchange) {}

    /**
     * SAMPa's rank 0, every hundred steps and at the last, once it has swapped a hundred times: its
     * gradient pass against its swap, as measured over the recent steps.
     */
    default void paced(SwapPace pace) {}

    /** Called once when training stops, before the outputs are written. */
    default void finished() {}

    /** One listener that tells each of {@code listeners}, in order. */
    static ProgressListener all(List<ProgressListener> listeners) {
        List<ProgressListener> each = List.copyOf(listeners);
        return new ProgressListener() {
            @Override
            public void started(long totalSteps, long startStep) {
                each.forEach(l -> l.started(totalSteps, startStep));
            }

            @Override
            public void stepped(StepReport report) {
                each.forEach(l -> l.stepped(report));
            }

            @Override
            public void logged(StepReport report) {
                each.forEach(l -> l.logged(report));
            }

            @Override
            public void epochEnded(EpochMetrics metrics) {
                each.forEach(l -> l.epochEnded(metrics));
            }

            @Override
            public void checkpointed(long step, Path file, long unixMillis) {
                each.forEach(l -> l.checkpointed(step, file, unixMillis));
            }

            @Override
            public void paired(Supplier<SwapStats> exchange) {
                each.forEach(l -> l.paired(exchange));
            }

            @Override
            public void paced(SwapPace pace) {
                each.forEach(l -> l.paced(pace));
            }

            @Override
            public void finished() {
                each.forEach(ProgressListener::finished);
            }
        };
    }
}
