package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.trainer.checkpoint.CheckpointStore;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.training.earlyStopping}: the run ends when its metric stops improving, the best model
 * is the best evaluation by that metric, and a resumed run ends exactly where the uninterrupted one
 * does. A {@code minDelta} of 1 makes every evaluation after the first a non-improvement, so the
 * end does not depend on the numbers the tiny job happens to reach.
 */
class EarlyStoppingTest {
    private static final String EPOCHS = "spec.training.epochs=6";
    private static final String NEVER_IMPROVES = "spec.training.earlyStopping.minDelta=1.0";

    @TempDir Path dir;

    @Test
    void endsAfterPatienceEvaluationsWithoutImprovementAndSaysWhy() {
        RunSummary run =
                TinyJobs.run(
                        dir.resolve("run"),
                        false,
                        EPOCHS,
                        NEVER_IMPROVES,
                        "spec.training.earlyStopping.patience=2");
        assertThat(run.earlyStop()).isNotNull();
        assertThat(run.earlyStop().epoch()).isEqualTo(3);
        assertThat(run.earlyStop().reason())
                .startsWith("validationAccuracy did not improve by more than 1.0 for 2");
        assertThat(run.steps()).isEqualTo(18); // 3 epochs of 6 steps, not 6 epochs
        assertThat(run.history()).hasSize(3);
        assertThat(run.stoppedAtMaxSteps()).isFalse();
    }

    @Test
    void theBestModelAndBestEpochFollowTheMonitoredMetric() {
        Path out = dir.resolve("by-loss");
        RunSummary run =
                TinyJobs.run(
                        out,
                        false,
                        EPOCHS,
                        "spec.training.earlyStopping.monitor=validationLoss",
                        "spec.training.earlyStopping.patience=3");
        EpochMetrics best =
                firstBest(run.history(), EpochMetrics::validationLoss, Comparator.reverseOrder());
        assertThat(run.bestEpoch()).isEqualTo(best.epoch() + 1);
        assertThat(run.bestValidationAccuracy()).isEqualTo(best.validationAccuracy());
        assertThat(new CheckpointStore(out.resolve("best-model"), 1).list())
                .singleElement()
                .isEqualTo(new CheckpointStore(out.resolve("best-model"), 1).fileOf(best.step()));
    }

    @Test
    void bestMeansTheBestEvaluationIncludingAPartialEpochThatMaxStepsEnds() {
        for (long maxSteps : new long[] {8, 11, 15}) {
            RunSummary run =
                    TinyJobs.run(
                            dir.resolve("max-" + maxSteps),
                            false,
                            "spec.training.maxSteps=" + maxSteps);
            EpochMetrics best =
                    firstBest(
                            run.history(),
                            EpochMetrics::validationAccuracy,
                            Comparator.naturalOrder());
            assertThat(run.bestValidationAccuracy())
                    .as("maxSteps %d", maxSteps)
                    .isEqualTo(best.validationAccuracy())
                    .isGreaterThanOrEqualTo(run.validationAccuracy());
            assertThat(run.bestEpoch()).isEqualTo(best.epoch() + 1);
        }
    }

    @Test
    void aResumedRunStopsEarlyExactlyWhereTheUninterruptedOneDoes() {
        String[] job = {EPOCHS, NEVER_IMPROVES, "spec.training.earlyStopping.patience=3"};
        RunSummary straight = TinyJobs.run(dir.resolve("straight"), false, job);
        assertThat(straight.earlyStop().epoch()).isEqualTo(4);

        Path out = dir.resolve("interrupted");
        // Stop mid-epoch 2, then at the end of epoch 3, one evaluation before the end.
        TinyJobs.run(out, false, with(job, "spec.training.maxSteps=8"));
        TinyJobs.run(out, true, with(job, "spec.training.maxSteps=18"));
        RunSummary resumed = TinyJobs.run(out, true, job);

        assertThat(resumed.earlyStop()).isEqualTo(straight.earlyStop());
        assertThat(resumed.steps()).isEqualTo(straight.steps()).isEqualTo(24);
        assertThat(resumed.parameterChecksum()).isEqualTo(straight.parameterChecksum());
        assertThat(resumed.bestEpoch()).isEqualTo(straight.bestEpoch());
        assertThat(resumed.history()).hasSameSizeAs(straight.history());
    }

    @Test
    void morePatienceContinuesARunThatEndedEarly() {
        Path out = dir.resolve("patient");
        TinyJobs.run(out, false, EPOCHS, NEVER_IMPROVES, "spec.training.earlyStopping.patience=1");
        RunSummary longer =
                TinyJobs.run(
                        out,
                        true,
                        EPOCHS,
                        NEVER_IMPROVES,
                        "spec.training.earlyStopping.patience=3");
        RunSummary straight =
                TinyJobs.run(
                        dir.resolve("straight"),
                        false,
                        EPOCHS,
                        NEVER_IMPROVES,
                        "spec.training.earlyStopping.patience=3");
        assertThat(longer.steps()).isEqualTo(straight.steps()).isEqualTo(24);
        assertThat(longer.parameterChecksum()).isEqualTo(straight.parameterChecksum());
    }

    private static String[] with(String[] job, String more) {
        String[] all = java.util.Arrays.copyOf(job, job.length + 1);
        all[job.length] = more;
        return all;
    }

    /** The first row whose metric is best by {@code order}: ties go to the earlier evaluation. */
    private static EpochMetrics firstBest(
            List<EpochMetrics> rows,
            Function<EpochMetrics, Double> metric,
            Comparator<Double> order) {
        EpochMetrics best = rows.get(0);
        for (EpochMetrics row : rows) {
            if (order.compare(metric.apply(row), metric.apply(best)) > 0) {
                best = row;
            }
        }
        return best;
    }
}
