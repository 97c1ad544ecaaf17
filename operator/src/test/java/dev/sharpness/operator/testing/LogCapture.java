package dev.sharpness.operator.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the warnings and errors the operator, its SDK and its Kubernetes client log while open,
 * as lines "LEVEL logger: message", so a test can require a quiet log.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private static final List<String> SOURCES =
            List.of("dev.sharpness.operator", "io.javaoperatorsdk", "io.fabric8.kubernetes.client");

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");

    private LogCapture() {
        setLevel(Level.WARNING);
        root.addHandler(this);
    }

    public static LogCapture warningsAndErrors() {
        return new LogCapture();
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        String logger = String.valueOf(record.getLoggerName());
        if (record.getLevel().intValue() >= Level.WARNING.intValue()
                && SOURCES.stream().anyMatch(logger::startsWith)
                && !logger.startsWith("dev.sharpness.operator.testing")) {
            lines.add(record.getLevel() + " " + logger + ": " + record.getMessage());
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
