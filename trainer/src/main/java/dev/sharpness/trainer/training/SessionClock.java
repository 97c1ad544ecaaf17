package dev.sharpness.trainer.training;

import dev.sharpness.trainer.timing.RecentDurations;

/**
 * The wall time of this session of a run (a resumed run is a new session) and of its optimizer
 * steps alone, for the summary's rates and the checkpoints' accumulated wall time.
 */
final class SessionClock {
    private final long startNanos = System.nanoTime();
    private final RecentDurations recent = new RecentDurations();
    private long stepNanos;
    private long steps;
    private long lastStepNanos;

    /** Counts one optimizer step that took {@code nanos}. */
    void stepTook(long nanos) {
        lastStepNanos = nanos;
        stepNanos += nanos;
        steps++;
        recent.add(nanos);
    }

    /** The duration of the latest optimizer step in seconds. */
    double lastStepSeconds() {
        return lastStepNanos / 1e9;
    }

    /** Seconds since this session started. */
    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Steps of this session per second of its {@code sessionSeconds}, everything included. */
    double stepsPerSecond(double sessionSeconds) {
        return steps / Math.max(sessionSeconds, 1e-9);
    }

    /** The mean optimizer step of this session, warm-up included; NaN before the first. */
    double meanStepMillis() {
        return steps > 0 ? stepNanos / 1e6 / steps : Double.NaN;
    }

    /** The median of the latest optimizer steps, robust to warm-up; NaN before the first. */
    double medianStepMillis() {
        return recent.medianMillis();
    }
}
