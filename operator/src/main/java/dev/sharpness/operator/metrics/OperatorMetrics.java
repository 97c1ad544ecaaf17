package dev.sharpness.operator.metrics;

import dev.sharpness.api.v1alpha1.Phase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's Prometheus metrics: jobs by phase ({@code sam_operator_jobs{phase}}), pair
 * restarts ({@code sam_operator_restarts_total{reason}}) and reconcile latency ({@code
 * sam_operator_reconcile_seconds}).
 */
public final class OperatorMetrics {
    private final MeterRegistry registry;
    private final Map<String, Phase> phases = new ConcurrentHashMap<>();
    private final Timer reconcile;

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Phase phase : Phase.values()) {
            Gauge.builder("sam_operator_jobs", phases, p -> count(p, phase))
                    .description("SamTrainingJobs by phase")
                    .tag("phase", phase.display())
                    .register(registry);
        }
        this.reconcile =
                Timer.builder("sam_operator_reconcile")
                        .description("Time to reconcile one SamTrainingJob")
                        .publishPercentileHistogram()
                        .register(registry);
    }

    public void phase(String jobKey, Phase phase) {
        phases.put(jobKey, phase);
    }

    public void forget(String jobKey) {
        phases.remove(jobKey);
    }

    public void restarted(String reason) {
        Counter.builder("sam_operator_restarts")
                .description("Pair restarts, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    public void reconciled(Duration took) {
        reconcile.record(took);
    }

    private static double count(Map<String, Phase> phases, Phase phase) {
        return phases.values().stream().filter(p -> p == phase).count();
    }
}
