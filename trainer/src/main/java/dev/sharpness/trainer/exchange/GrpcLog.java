package dev.sharpness.trainer.exchange;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC's own log, sent on to the trainer's with the bound of a {@link RefusalLog}.
 *
 * <p>gRPC logs through {@code java.util.logging}, and its HTTP/2 handler logs a warning with a
 * stack trace for every stream a client opens beyond the limit the server announced. A client that
 * ignores the limit on purpose (one connection, a loop of HEADERS frames) made rank 0 write a
 * gigabyte of stderr in 15 seconds. Here every record of the loggers under {@code io.grpc} at INFO
 * or above goes to the trainer's log, the first {@link RefusalLog#LOGGED_IN_FULL} in full, the rest
 * counted by message and summed up in one line per {@link RefusalLog#INTERVAL} (by {@link
 * #intervalEnded}, which each server schedules). After an interval without any, the next few are
 * logged in full again.
 *
 * <p>{@code java.util.logging} is one per process, so this is too: {@link #install} is idempotent.
 */
final class GrpcLog extends Handler {
    /** Messages named in a summary; the others are summed up as one count. */
    private static final int MESSAGES_NAMED = 8;

    /** The longest message a summary quotes: a stack trace's first line, not a whole frame dump. */
    private static final int MESSAGE_CHARACTERS = 200;

    /**
     * Held here: {@code java.util.logging} keeps loggers by weak reference, and one that is
     * collected loses its handler and comes back sending to the console again.
     */
    private static final java.util.logging.Logger GRPC =
            java.util.logging.Logger.getLogger("io.grpc");

    private static final GrpcLog INSTANCE = new GrpcLog(LoggerFactory.getLogger("io.grpc"));

    private static boolean installed;

    private final Logger log;
    private final SimpleFormatter text = new SimpleFormatter();
    private final RefusalLog.Allowance allowance = new RefusalLog.Allowance();
    private final Map<String, Long> byMessage = new LinkedHashMap<>();
    private long otherMessages;

    private GrpcLog(Logger log) {
        this.log = log;
        setLevel(Level.INFO);
    }

    /** Sends gRPC's log here instead of to the console handler of {@code java.util.logging}. */
    static synchronized void install() {
        if (!installed) {
            GRPC.setUseParentHandlers(false);
            GRPC.addHandler(INSTANCE);
            installed = true;
        }
    }

    /** The interval's end for the process's gRPC log: see {@link #summarize}. */
    static void intervalEnded() {
        INSTANCE.summarize(true);
    }

    /**
     * A server of the process stops: sums up what is pending, but leaves the allowance as it is
     * (another server may still be under the flood).
     */
    static void serverStopped() {
        INSTANCE.summarize(false);
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String message = text.formatMessage(record);
        Throwable thrown = record.getThrown();
        RefusalLog.Allowance.Line next;
        synchronized (this) {
            next = allowance.next();
            if (next == RefusalLog.Allowance.Line.COUNTED) {
                String key = thrown == null ? message : message + ": " + thrown;
                if (key.length() > MESSAGE_CHARACTERS) {
                    key = key.substring(0, MESSAGE_CHARACTERS) + "...";
                }
                if (byMessage.containsKey(key) || byMessage.size() < MESSAGES_NAMED) {
                    byMessage.merge(key, 1L, Long::sum);
                } else {
                    otherMessages++;
                }
            }
        }
        if (next != RefusalLog.Allowance.Line.COUNTED) {
            String line =
                    "gRPC ("
                            + record.getLoggerName()
                            + "): "
                            + message
                            + (next == RefusalLog.Allowance.Line.LAST_IN_FULL
                                    ? " (further messages of gRPC are counted and summed up every "
                                            + PairExchange.seconds(RefusalLog.INTERVAL)
                                            + ")"
                                    : "");
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                log.warn(line, thrown);
            } else {
                log.info(line, thrown);
            }
        }
    }

    /**
     * Writes one summary line of the messages since the last one, if there were any; at the end of
     * an interval without any ({@code intervalEnded}), re-arms the allowance of messages in full.
     */
    private void summarize(boolean intervalEnded) {
        String line;
        synchronized (this) {
            long pending = allowance.takeCounted(intervalEnded);
            if (pending == 0) {
                return;
            }
            line =
                    "gRPC logged %d more messages (%d in all): %s%s"
                            .formatted(
                                    pending,
                                    allowance.total(),
                                    byMessage.entrySet().stream()
                                            .map(e -> e.getValue() + " of \"" + e.getKey() + "\"")
                                            .collect(Collectors.joining(", ")),
                                    otherMessages > 0 ? ", " + otherMessages + " others" : "");
            otherMessages = 0;
            byMessage.clear();
        }
        log.warn(line);
    }

    /** Nothing to flush: each record is handed on to SLF4J as it comes. */
    @Override
    public void flush() {}

    @Override
    public void close() {}
}
