package dev.sharpness.operator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.worker.ProgressReport;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Rank 0's GetProgress answer as the operator reads it. */
class ProgressReadingTest {
    private static final Instant READ_AT = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void measurementsTheTrainerLeftOutAreNull() {
        Progress starting =
                Progress.newBuilder().setEpochsTotal(3).setStep(0).setState("Starting").build();

        ProgressReading reading = ProgressReading.of(1, starting, READ_AT);

        assertThat(reading.report().trainLoss()).isNull();
        assertThat(reading.report().trainAccuracy()).isNull();
        assertThat(reading.report().validationAccuracy()).isNull();
        assertThat(reading.report().testAccuracy()).isNull();
        assertThat(reading.report().lastCheckpointTime()).isNull();
        assertThat(reading.attempt()).isEqualTo(1);
        assertThat(reading.readAt()).isEqualTo(READ_AT);
    }

    @Test
    void aMeasuredZeroIsZero() {
        Progress evaluated =
                Progress.newBuilder()
                        .setStep(40)
                        .setTotalSteps(120)
                        .setTrainLoss(2.3)
                        .setTrainAccuracy(0.0)
                        .setTestAccuracy(0.0)
                        .build();

        ProgressReading reading = ProgressReading.of(0, evaluated, READ_AT);

        assertThat(reading.report().testAccuracy()).isEqualTo(0.0);
        assertThat(reading.report().trainAccuracy()).isEqualTo(0.0);
        assertThat(reading.report().trainLoss()).isEqualTo(2.3);
        assertThat(reading.report().validationAccuracy()).as("no validation split").isNull();
        assertThat(reading.report().step()).isEqualTo(40);
        assertThat(reading.report().totalSteps()).isEqualTo(120);
    }

    @Test
    void everyFieldIsCarriedOver() {
        Progress p =
                Progress.newBuilder()
                        .setEpoch(2)
                        .setStep(90)
                        .setTotalSteps(120)
                        .setTrainLoss(0.4)
                        .setTrainAccuracy(0.85)
                        .setValidationAccuracy(0.8)
                        .setTestAccuracy(0.79)
                        .setStepsPerSecond(3.5)
                        .setExchangeMillis(12.0)
                        .setLastCheckpointStep(80)
                        .setLastCheckpointPath("/checkpoints/ckpt-000000080.bin")
                        .setLastCheckpointUnixMillis(1_700_000_000_000L)
                        .setEpochsTotal(3)
                        .setState("Training")
                        .build();

        ProgressReading reading = ProgressReading.of(3, p, READ_AT);

        assertThat(reading)
                .isEqualTo(
                        new ProgressReading(
                                3,
                                new ProgressReport(
                                        2,
                                        90,
                                        120,
                                        0.4,
                                        0.85,
                                        0.8,
                                        0.79,
                                        3.5,
                                        12.0,
                                        null,
                                        80,
                                        "/checkpoints/ckpt-000000080.bin",
                                        Instant.ofEpochMilli(1_700_000_000_000L),
                                        3,
                                        "Training"),
                                READ_AT));
    }
}
