package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.trainer.checkpoint.CheckpointException;
import dev.sharpness.trainer.checkpoint.CheckpointStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A resumed run equals the uninterrupted one, bit for bit, whatever point it stopped at. */
class ResumeTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"SGD", "SAM", "KSAM", "LookSAM", "SAMPa"})
    void resumedRunEqualsUninterruptedRun(String method) {
        String m = "spec.optimizer.method=" + method;
        RunSummary straight = TinyJobs.run(dir.resolve("straight"), false, m);

        Path out = dir.resolve("interrupted");
        // Stop mid-epoch 2 (step 8 of 18), then again at an epoch boundary (step 12).
        RunSummary first = TinyJobs.run(out, false, m, "spec.training.maxSteps=8");
        assertThat(first.stoppedAtMaxSteps()).isTrue();
        assertThat(first.parameterChecksum()).isNotEqualTo(straight.parameterChecksum());
        TinyJobs.run(out, true, m, "spec.training.maxSteps=12");
        RunSummary resumed = TinyJobs.run(out, true, m);

        assertThat(resumed.steps()).isEqualTo(straight.steps()).isEqualTo(18);
        assertThat(resumed.parameterChecksum()).isEqualTo(straight.parameterChecksum());
        assertThat(resumed.sequentialGradientComputations())
                .isEqualTo(straight.sequentialGradientComputations());
        assertThat(resumed.history())
                .isEqualTo(withoutWallTime(straight.history(), resumed.history()));
    }

    @Test
    void corruptNewestCheckpointFallsBackToThePreviousOne() throws IOException {
        RunSummary straight = TinyJobs.run(dir.resolve("straight"), false);
        Path out = dir.resolve("corrupted");
        TinyJobs.run(out, false, "spec.training.maxSteps=10");
        CheckpointStore store = new CheckpointStore(out.resolve("checkpoints"), 3);
        List<Path> files = store.list();
        assertThat(files).hasSize(3);
        flipAByteIn(files.get(files.size() - 1));

        RunSummary resumed = TinyJobs.run(out, true);
        assertThat(resumed.parameterChecksum()).isEqualTo(straight.parameterChecksum());
    }

    @Test
    void resumingWhenEveryCheckpointIsCorruptIsAnErrorNotAFreshStart() throws IOException {
        Path out = dir.resolve("all-corrupt");
        TinyJobs.run(out, false, "spec.training.maxSteps=5");
        for (Path file : new CheckpointStore(out.resolve("checkpoints"), 3).list()) {
            flipAByteIn(file);
        }
        assertThatThrownBy(() -> TinyJobs.run(out, true))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("no valid checkpoint")
                .hasMessageContaining("step-000000000005.ckpt: corrupt");
    }

    @Test
    void resumingWithADifferentTrainingSpecIsRefused() {
        Path out = dir.resolve("changed");
        TinyJobs.run(out, false, "spec.training.maxSteps=5");
        assertThatThrownBy(() -> TinyJobs.run(out, true, "spec.optimizer.rho=0.1"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("different training spec");
    }

    /** Wall time differs between runs by nature; everything else must not. */
    private static List<EpochMetrics> withoutWallTime(
            List<EpochMetrics> reference, List<EpochMetrics> timesFrom) {
        return java.util.stream.IntStream.range(0, reference.size())
                .mapToObj(
                        i -> {
                            EpochMetrics r = reference.get(i);
                            return new EpochMetrics(
                                    r.epoch(),
                                    r.step(),
                                    r.learningRate(),
                                    r.trainLoss(),
                                    r.trainAccuracy(),
                                    r.validationLoss(),
                                    r.validationAccuracy(),
                                    r.testLoss(),
                                    r.testAccuracy(),
                                    r.sequentialGradients(),
                                    timesFrom.get(i).wallSeconds());
                        })
                .toList();
    }

    private static void flipAByteIn(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long at = raf.length() / 2;
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0xFF);
        }
    }
}
