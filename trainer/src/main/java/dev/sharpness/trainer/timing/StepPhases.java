package dev.sharpness.trainer.timing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a step's time goes, phase by phase: a step {@link #start}s, each phase ends with a {@link
 * #lap} naming it, and {@link #medianMillis} gives each phase's median over the recent steps (a
 * {@link RecentDurations} per phase, so the warm-up does not skew it). Not thread-safe: one
 * training thread times its own steps.
 */
public final class StepPhases {
    private final Map<String, RecentDurations> phases = new LinkedHashMap<>();
    private long lapStart = -1;

    /** A step begins: the next {@link #lap} times from now. */
    public void start() {
        lapStart = System.nanoTime();
    }

    /** The phase {@code name} ends now; the next phase times from here. */
    public void lap(String name) {
        long now = System.nanoTime();
        if (lapStart < 0) {
            throw new IllegalStateException("a lap before the step started: " + name);
        }
        phases.computeIfAbsent(name, n -> new RecentDurations()).add(now - lapStart);
        lapStart = now;
    }

    /** Each phase's median in milliseconds, in the order the phases first ended; empty before. */
    public Map<String, Double> medianMillis() {
        Map<String, Double> medians = new LinkedHashMap<>();
        phases.forEach((name, durations) -> medians.put(name, durations.medianMillis()));
        return medians;
    }
}
