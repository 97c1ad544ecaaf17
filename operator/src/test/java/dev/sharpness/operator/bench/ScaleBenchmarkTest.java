package dev.sharpness.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The scale benchmark's code, small: proves it measures what it claims (every job reaches Starting
 * with its pair of pods and its four companions). Asserts nothing about time: that is the
 * benchmark's to report, on a machine that is not shared.
 */
class ScaleBenchmarkTest {
    @Test
    void everyJobCreatedAtOnceGetsItsPodsCompanionsAndPhaseStarting() throws Exception {
        ScaleBenchmark.Result result =
                ScaleBenchmark.run(new ScaleBenchmark.Settings(20, Duration.ofSeconds(60), false));

        assertThat(result.problems()).isEmpty();
        assertThat(result.complete()).isTrue();
        assertThat(result.operatorRequests())
                .containsEntry("POST pods", 40L)
                .containsEntry("POST services", 20L);
        assertThat(ScaleBenchmark.report(result)).contains("| 20 |");
    }
}
