package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * summary.json's sequentialGradientComputations, per method, over the tiny job's 18 steps: what a
 * user compares methods' costs by.
 */
class SequentialCostTest {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "SGD, 18",
        "SAM, 36",
        "KSAM, 36", // two passes, each on k samples
        "LookSAM, 22", // SAM steps at 0, 5, 10, 15
        "SAMPa, 18" // its two gradients run at the same time on the pair
    })
    void countsGradientsThatMustRunOneAfterAnother(String method, long expected) {
        RunSummary summary = TinyJobs.run(dir, false, "spec.optimizer.method=" + method);
        assertThat(summary.steps()).isEqualTo(18);
        assertThat(summary.sequentialGradientComputations()).isEqualTo(expected);
    }
}
