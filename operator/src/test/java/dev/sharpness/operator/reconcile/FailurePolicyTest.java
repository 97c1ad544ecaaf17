package dev.sharpness.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.BackoffSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How long the next attempt waits (moved here from LifecycleTest with the backoff). */
class FailurePolicyTest {

    @Test
    void backoffDoublesWithEachRestartUpToItsCap() {
        BackoffSpec backoff = new BackoffSpec();
        backoff.setInitialSeconds(10);
        backoff.setMaxSeconds(60);

        assertThat(List.of(1, 2, 3, 4, 10).stream().map(n -> FailurePolicy.backoff(backoff, n)))
                .extracting(Duration::toSeconds)
                .containsExactly(10L, 20L, 40L, 60L, 60L);
    }
}
