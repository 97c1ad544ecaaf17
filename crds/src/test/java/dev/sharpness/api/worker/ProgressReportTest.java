package dev.sharpness.api.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.ProgressStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Rank 0's report as the job's status.progress. */
class ProgressReportTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00.700Z");

    @Test
    void stepsGivePercentDisplayAndEta() {
        ProgressStatus status = report(30, 120, 2.0).toStatus(null, 3, T0);

        assertThat(status.getPercent()).isEqualTo(25);
        assertThat(status.getDisplay()).isEqualTo("30/120 (25%)");
        assertThat(status.getEtaSeconds()).isEqualTo(45);
        assertThat(status.getEpochs()).isEqualTo(3);
        assertThat(status.getUpdateTime()).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(status.getLastStepChangeTime()).isEqualTo("2026-11-23T10:00:00Z");
    }

    @Test
    void withoutAStepCountThereIsNoPercentAndWithoutASpeedNoEta() {
        ProgressStatus status = report(0, 0, 0).toStatus(null, 3, T0);

        assertThat(status.getPercent()).isNull();
        assertThat(status.getDisplay()).isNull();
        assertThat(status.getEtaSeconds()).isNull();
    }

    @Test
    void theStepChangeTimeStandsStillWhileTheStepDoes() {
        ProgressStatus first = report(30, 120, 2.0).toStatus(null, 3, T0);

        ProgressStatus same = report(30, 120, 2.0).toStatus(first, 3, T0.plusSeconds(60));
        ProgressStatus moved = report(31, 120, 2.0).toStatus(same, 3, T0.plusSeconds(90));

        assertThat(same.getLastStepChangeTime()).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(same.getUpdateTime()).isEqualTo("2026-11-23T10:01:00Z");
        assertThat(moved.getLastStepChangeTime()).isEqualTo("2026-11-23T10:01:30Z");
    }

    private static ProgressReport report(long step, long totalSteps, double stepsPerSecond) {
        return new ProgressReport(
                1,
                step,
                totalSteps,
                0.5,
                0.8,
                null,
                null,
                stepsPerSecond,
                0,
                null,
                0,
                "",
                null,
                3,
                ProgressReport.TRAINING);
    }
}
