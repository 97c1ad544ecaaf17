package dev.sharpness.trainer.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One side's result of a swap benchmark as one JSON line: wall times per swap and the CPU time the
 * whole process spent per swap (all its threads), which a loaded machine distorts far less.
 */
final class SwapReport {
    private final String side;
    private final long bytes;
    private final long[] nanos;
    private final Map<String, Double> extra = new LinkedHashMap<>();
    private long cpuStart;
    private long cpuNanos;
    private int cpuSwaps;

    SwapReport(String side, long bytes, int swaps) {
        this.side = side;
        this.bytes = bytes;
        this.nanos = new long[swaps];
        this.cpuSwaps = swaps;
    }

    /** Marks the start of the timed swaps, for the process CPU time. */
    void start() {
        cpuStart = processCpuNanos();
    }

    int swaps() {
        return nanos.length;
    }

    void swap(int index, long wallNanos) {
        nanos[index] = wallNanos;
    }

    /** Marks the end of the timed swaps. */
    void stop() {
        cpuNanos = processCpuNanos() - cpuStart;
    }

    /**
     * How many swaps ran between {@link #start} and {@link #stop}, when more than those whose wall
     * times this report holds (others of another kind, reported as extra fields).
     */
    void cpuOver(int swaps) {
        cpuSwaps = swaps;
    }

    void put(String name, double millis) {
        extra.put(name, millis);
    }

    String json() {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        Map<String, Double> fields = new LinkedHashMap<>();
        fields.put("meanMillis", Arrays.stream(nanos).average().orElse(Double.NaN) / 1e6);
        fields.put("p50Millis", sorted[sorted.length / 2] / 1e6);
        fields.put("p90Millis", sorted[(int) Math.ceil(0.9 * sorted.length) - 1] / 1e6);
        fields.put("cpuMillisPerSwap", cpuNanos / 1e6 / cpuSwaps);
        fields.putAll(extra);
        return String.format(
                Locale.ROOT,
                "{\"side\": \"%s\", \"bytes\": %d, \"swaps\": %d, %s}",
                side,
                bytes,
                nanos.length,
                fields.entrySet().stream()
                        .map(
                                e ->
                                        String.format(
                                                Locale.ROOT,
                                                "\"%s\": %.4f",
                                                e.getKey(),
                                                e.getValue()))
                        .collect(Collectors.joining(", ")));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
