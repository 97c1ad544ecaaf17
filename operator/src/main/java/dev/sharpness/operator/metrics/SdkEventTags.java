package dev.sharpness.operator.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Gives the operator SDK's {@code events.received} counter the same tag keys for every event.
 *
 * <p>The SDK (MicrometerMetricsV2 of JOSDK 5.3) tags an event with {@code action} when it is a
 * change of the job and without it when it comes from the pods' informer. Prometheus requires one
 * set of tag keys per meter name, so the registry refuses the second kind, and it refuses by
 * throwing inside the informer's event handler: that pod event never reached the reconciler, and
 * the log said ERROR at every start. Events without an action get {@code action="none"}.
 */
public final class SdkEventTags {
    static final String EVENTS_RECEIVED = "events.received";
    static final String ACTION = "action";

    private SdkEventTags() {}

    /** The filter, for the application's registries (Quarkus applies every MeterFilter bean). */
    @Produces
    @Singleton
    public static MeterFilter consistentActionTag() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (EVENTS_RECEIVED.equals(id.getName()) && id.getTag(ACTION) == null) {
                    return id.withTag(Tag.of(ACTION, "none"));
                }
                return id;
            }
        };
    }
}
