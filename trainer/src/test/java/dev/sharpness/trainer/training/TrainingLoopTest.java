package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.trainer.checkpoint.CheckpointStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the loop of a single worker checkpoints, stops and diverges (6 steps per epoch). */
class TrainingLoopTest {
    @TempDir Path dir;

    @Test
    void checkpointsFollowEpochEndsEveryNthStepAndTheLastStep() throws IOException {
        RunSummary summary =
                TinyJobs.run(dir, false, "spec.training.maxSteps=13", "spec.checkpoint.keep=10");

        assertThat(summary.steps()).isEqualTo(13);
        assertThat(summary.stoppedAtMaxSteps()).isTrue();
        List<Path> files = new CheckpointStore(dir.resolve("checkpoints"), 10).list();
        assertThat(files.stream().map(f -> f.getFileName().toString()))
                .containsExactly(
                        "step-000000000005.ckpt",
                        "step-000000000006.ckpt",
                        "step-000000000010.ckpt",
                        "step-000000000012.ckpt",
                        "step-000000000013.ckpt");
    }

    @Test
    void aStopAskedForBeforeAStepEndsTheRunAfterThatStepWithACheckpoint() {
        StopRequest stop = new StopRequest();
        stop.request();

        assertThatThrownBy(() -> TinyJobs.training(dir, false).stoppable(stop).execute())
                .isInstanceOfSatisfying(
                        StoppedException.class,
                        e -> {
                            assertThat(e.step()).isEqualTo(1);
                            assertThat(e.checkpoint())
                                    .isEqualTo(
                                            dir.resolve("checkpoints")
                                                    .resolve("step-000000000001.ckpt"))
                                    .exists();
                        });
    }

    @Test
    void aLossThatIsNoLongerFiniteEndsTheRunNamingStepAndEpoch() {
        assertThatThrownBy(
                        () ->
                                TinyJobs.training(dir, false)
                                        .wrappingMethod(Faults.divergeAt(7))
                                        .execute())
                .isInstanceOf(DivergedException.class)
                .hasMessageStartingWith("training diverged: loss NaN at step 7 (epoch 1)");
    }
}
