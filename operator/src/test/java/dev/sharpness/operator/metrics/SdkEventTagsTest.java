package dev.sharpness.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The SDK counts a job's own events with an {@code action} tag and the pods' events without one;
 * under the Prometheus registry the application ships with, both must register.
 */
class SdkEventTagsTest {
    @Test
    void eventsWithAndWithoutAnActionShareOneSetOfTagKeys() {
        PrometheusMeterRegistry registry = quarkusRegistry();
        registry.config().meterFilter(SdkEventTags.consistentActionTag());

        countJobEvent(registry);
        countPodEvent(registry);

        assertThat(registry.scrape()).contains("action=\"none\"").contains("action=\"UPDATED\"");
    }

    @Test
    void withoutTheFilterThePrometheusRegistryRefusesThePodEvent() {
        PrometheusMeterRegistry registry = quarkusRegistry();

        countJobEvent(registry);

        assertThatThrownBy(() -> countPodEvent(registry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same set of tag keys");
    }

    /** As Quarkus configures it: a refused registration throws, in the caller's thread. */
    private static PrometheusMeterRegistry quarkusRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.throwExceptionOnRegistrationFailure();
        return registry;
    }

    /** As JOSDK's MicrometerMetricsV2 counts a change of the primary resource. */
    private static void countJobEvent(PrometheusMeterRegistry registry) {
        registry.counter(
                        SdkEventTags.EVENTS_RECEIVED,
                        "controller.name",
                        "samtrainingjob",
                        "event",
                        "ResourceEvent",
                        SdkEventTags.ACTION,
                        "UPDATED")
                .increment();
    }

    /** As it counts an event of a secondary informer (the pods): no action. */
    private static void countPodEvent(PrometheusMeterRegistry registry) {
        registry.counter(
                        SdkEventTags.EVENTS_RECEIVED,
                        "controller.name",
                        "samtrainingjob",
                        "event",
                        "Event")
                .increment();
    }
}
