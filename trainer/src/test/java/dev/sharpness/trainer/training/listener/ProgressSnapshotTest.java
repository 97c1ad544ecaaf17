package dev.sharpness.trainer.training.listener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.training.EpochMetrics;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** GetProgress carries every field the operator's status shows, from the events of a run. */
class ProgressSnapshotTest {

    @Test
    void fillsEveryFieldTheOperatorReads() {
        ProgressSnapshot snapshot = new ProgressSnapshot(3);
        assertThat(snapshot.get().getState()).isEqualTo("Starting");
        assertThat(snapshot.get().getEpochsTotal()).isEqualTo(3);

        snapshot.started(30, 10);
        snapshot.paired(() -> new SwapStats(4, 400, 100, 2.0, 1.5, 2.0));
        snapshot.checkpointed(10, Path.of("/ckpt/step-000000000010.ckpt"), 1_700_000_000_000L);
        snapshot.stepped(new StepReport(11, 1, 0.75, 0.5, 0.1, 0.02));
        snapshot.epochEnded(new EpochMetrics(1, 11, 0.1, 0.7, 0.55, 0.8, 0.6, 0.9, 0.65, 22, 12.0));
        Progress p = snapshot.get();

        assertThat(p.getState()).isEqualTo("Training");
        assertThat(p.getEpoch()).isEqualTo(1);
        assertThat(p.getStep()).isEqualTo(11);
        assertThat(p.getTotalSteps()).isEqualTo(30);
        assertThat(p.getTrainLoss()).isEqualTo(0.75);
        assertThat(p.getTrainAccuracy()).isEqualTo(0.5);
        assertThat(p.getValidationAccuracy()).isEqualTo(0.6);
        assertThat(p.getTestAccuracy()).isEqualTo(0.65);
        assertThat(p.getStepsPerSecond()).isPositive();
        assertThat(p.getExchangeMillis()).isEqualTo(1.5);
        assertThat(p.getLastCheckpointStep()).isEqualTo(10);
        assertThat(p.getLastCheckpointPath()).isEqualTo("/ckpt/step-000000000010.ckpt");
        assertThat(p.getLastCheckpointUnixMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(p.hasGradientPassMillis()).isFalse();

        snapshot.paced(new SwapPace(32.4, 55.1));
        assertThat(snapshot.get().getGradientPassMillis()).isEqualTo(32.4);
        assertThat(snapshot.get().getSwapTransferMillis()).isEqualTo(55.1);

        snapshot.finished();
        assertThat(snapshot.get().getState()).isEqualTo("Finished");
    }

    @Test
    void accuraciesAreAbsentUntilMeasured() {
        ProgressSnapshot snapshot = new ProgressSnapshot(3);
        Progress starting = snapshot.get();

        assertThat(starting.hasTrainLoss()).isFalse();
        assertThat(starting.hasTrainAccuracy()).isFalse();
        assertThat(starting.hasValidationAccuracy()).isFalse();
        assertThat(starting.hasTestAccuracy()).isFalse();

        snapshot.started(30, 0);
        snapshot.stepped(new StepReport(1, 1, 0.75, 0.5, 0.1, 0.02));
        Progress stepped = snapshot.get();

        assertThat(stepped.hasTrainLoss()).isTrue();
        assertThat(stepped.hasTrainAccuracy()).isTrue();
        assertThat(stepped.hasValidationAccuracy()).isFalse();
        assertThat(stepped.hasTestAccuracy()).isFalse();
    }

    @Test
    void aMeasuredAccuracyOfZeroIsPresent() {
        ProgressSnapshot snapshot = new ProgressSnapshot(3);
        snapshot.started(30, 0);
        snapshot.stepped(new StepReport(10, 1, 2.3, 0.0, 0.1, 0.02));
        snapshot.epochEnded(new EpochMetrics(1, 10, 0.1, 2.3, 0.0, null, null, 2.3, 0.0, 20, 12.0));
        Progress p = snapshot.get();

        assertThat(p.hasTestAccuracy()).isTrue();
        assertThat(p.getTestAccuracy()).isZero();
        assertThat(p.hasTrainAccuracy()).isTrue();
        assertThat(p.getTrainAccuracy()).isZero();
        assertThat(p.hasValidationAccuracy()).as("no validation split").isFalse();
    }
}
