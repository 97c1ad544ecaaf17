package dev.sharpness.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StopLeadingTest {
    private final AtomicInteger releases = new AtomicInteger();
    private final List<Integer> exits = new ArrayList<>();

    private StopLeading stopLeading(boolean exitOnLostLeadership) {
        return new StopLeading(
                () -> releases.incrementAndGet() > 0, exitOnLostLeadership, exits::add);
    }

    @Test
    void releasesTheLeaseAndNeverExitsWhenTheApplicationStops() {
        StopLeading stopLeading = stopLeading(true);

        stopLeading.applicationStopping();
        stopLeading.run();

        assertThat(releases).hasValue(1);
        assertThat(exits).isEmpty();
    }

    @Test
    void exitsWithOneWhenLeadershipIsLostWhileRunning() {
        stopLeading(true).run();

        assertThat(exits).containsExactly(1);
        assertThat(releases).hasValue(0);
    }

    @Test
    void keepsRunningAfterLostLeadershipWhenConfiguredNotToExit() {
        stopLeading(false).run();

        assertThat(exits).isEmpty();
        assertThat(releases).hasValue(0);
    }

    @Test
    void aFailedReleaseStillLetsTheApplicationStop() {
        StopLeading stopLeading =
                new StopLeading(
                        () -> {
                            throw new IllegalStateException("API server gone");
                        },
                        true,
                        exits::add);

        stopLeading.applicationStopping();
        stopLeading.run();

        assertThat(exits).isEmpty();
    }
}
