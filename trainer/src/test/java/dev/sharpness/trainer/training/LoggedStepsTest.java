package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.trainer.training.listener.StepLog;
import dev.sharpness.trainer.training.listener.StepReport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** steps.csv: a row every logEverySteps steps, each once, the same after a crash and a resume. */
class LoggedStepsTest {
    @TempDir Path dir;

    @Test
    void rowsFallEveryNthStepAndAtTheLastStepOfTheLastEpoch() {
        TinyJobs.run(dir, false, "spec.training.logEverySteps=4");

        List<StepReport> rows = StepLog.read(dir.resolve(StepLog.FILE));
        assertThat(rows).extracting(StepReport::step).containsExactly(4L, 8L, 12L, 16L, 18L);
        assertThat(rows).extracting(StepReport::epoch).containsExactly(0, 1, 1, 2, 2);
        assertThat(rows).allSatisfy(r -> assertThat(r.loss()).isPositive());
    }

    @Test
    void byDefaultAShortRunLogsEveryStep() {
        TinyJobs.run(dir, false);

        assertThat(StepLog.read(dir.resolve(StepLog.FILE)))
                .extracting(StepReport::step)
                .containsExactly(
                        1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L,
                        18L);
    }

    @Test
    void byDefaultALongRunLogsAboutTwoHundredRowsAndAtLeastEveryFiftiethStep() {
        assertThat(RunPlan.logEveryStepsOf(350)).isEqualTo(1);
        assertThat(RunPlan.logEveryStepsOf(10 * 468)).isEqualTo(23);
        assertThat(RunPlan.logEveryStepsOf(200 * 390)).isEqualTo(50);
    }

    @Test
    void aRunResumedAfterACrashHasEachRowOnceWithTheUninterruptedValues() {
        TinyJobs.run(dir.resolve("straight"), false, "spec.training.logEverySteps=2");
        Path out = dir.resolve("crashed");
        // Dies in step 10, after the row of step 8 and the checkpoint of step 6 (an epoch's end).
        assertThatThrownBy(
                        () ->
                                TinyJobs.training(out, false, "spec.training.logEverySteps=2")
                                        .wrappingMethod(Faults.divergeAt(9))
                                        .execute())
                .isInstanceOf(DivergedException.class);
        assertThat(StepLog.read(out.resolve(StepLog.FILE)))
                .extracting(StepReport::step)
                .containsExactly(2L, 4L, 6L, 8L);

        TinyJobs.run(out, true, "spec.training.logEverySteps=2");

        assertThat(withoutTimes(StepLog.read(out.resolve(StepLog.FILE))))
                .isEqualTo(
                        withoutTimes(StepLog.read(dir.resolve("straight").resolve(StepLog.FILE))))
                .extracting(StepReport::step)
                .containsExactly(2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L, 18L);
    }

    private static List<StepReport> withoutTimes(List<StepReport> rows) {
        return rows.stream()
                .map(
                        r ->
                                new StepReport(
                                        r.step(),
                                        r.epoch(),
                                        r.loss(),
                                        r.accuracy(),
                                        r.learningRate(),
                                        0))
                .toList();
    }
}
