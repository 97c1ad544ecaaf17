package dev.sharpness.trainer.exchange;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of what rank 0's port refused (calls without the token or the session, connections over
 * the cap), bounded so that a flood cannot fill the disk: the first few refusals are logged in
 * full, the rest are counted by reason and address and summed up in one line per {@link #INTERVAL}
 * (by {@link #flush}, which the server schedules). After an interval without refusals the next few
 * are logged in full again.
 */
final class RefusalLog {
    /** Enough lines to show who knocks and why; a flood of 400k refusals adds nothing to them. */
    static final int LOGGED_IN_FULL = 5;

    /** At most one summary line per minute: a day of flooding is 1440 lines, not gigabytes. */
    static final Duration INTERVAL = Duration.ofMinutes(1);

    /** Addresses named in a summary; the others are summed up as one count. */
    private static final int ADDRESSES_NAMED = 8;

    private final Logger log;
    private final Allowance allowance = new Allowance();
    private final Map<String, Long> byReason = new TreeMap<>();
    private final Map<String, Long> byAddress = new LinkedHashMap<>();
    private long otherAddresses;

    RefusalLog() {
        this(LoggerFactory.getLogger(PairExchange.class));
    }

    RefusalLog(Logger log) {
        this.log = log;
    }

    /**
     * Records one refusal of {@code what} (a method's name, "a connection") from {@code remote} for
     * {@code reason}; logs it in full while the allowance lasts.
     */
    void refused(String what, SocketAddress remote, String reason) {
        Allowance.Line line;
        synchronized (this) {
            line = allowance.next();
            if (line == Allowance.Line.COUNTED) {
                byReason.merge(reason, 1L, Long::sum);
                String host = host(remote);
                if (byAddress.containsKey(host) || byAddress.size() < ADDRESSES_NAMED) {
                    byAddress.merge(host, 1L, Long::sum);
                } else {
                    otherAddresses++;
                }
            }
        }
        if (line != Allowance.Line.COUNTED) {
            log.warn(
                    "Refused {} from {}: {}{}",
                    what,
                    remote,
                    reason,
                    line == Allowance.Line.LAST_IN_FULL
                            ? " (further refusals are counted and summed up every "
                                    + PairExchange.seconds(INTERVAL)
                                    + ")"
                            : "");
        }
    }

    /**
     * Writes one summary line of the refusals since the last one, if there were any; after a quiet
     * interval re-arms the allowance of lines in full.
     */
    void flush() {
        String line;
        synchronized (this) {
            long pending = allowance.takeCounted(true);
            if (pending == 0) {
                return;
            }
            String reasons =
                    byReason.entrySet().stream()
                            .map(e -> e.getValue() + " " + e.getKey())
                            .collect(Collectors.joining(", "));
            String addresses =
                    byAddress.entrySet().stream()
                                    .map(e -> e.getValue() + " from " + e.getKey())
                                    .collect(Collectors.joining(", "))
                            + (otherAddresses > 0
                                    ? ", " + otherAddresses + " from other addresses"
                                    : "");
            line =
                    "Refused %d more calls or connections (%d in all): %s; %s"
                            .formatted(pending, allowance.total(), reasons, addresses);
            otherAddresses = 0;
            byReason.clear();
            byAddress.clear();
        }
        log.warn(line);
    }

    /** Refusals so far, logged or counted. */
    synchronized long total() {
        return allowance.total();
    }

    /**
     * The bound of a log that a flood may fill, this one's and {@link GrpcLog}'s: the first {@link
     * #LOGGED_IN_FULL} lines are logged in full, the rest only counted, to be summed up in one line
     * per interval; after an interval without any counted, the next few go in full again. Not
     * thread-safe: its owner holds its own lock around each call, with its counts by key beside.
     */
    static final class Allowance {
        /** What becomes of the next line. */
        enum Line {
            IN_FULL,
            /** The last in full: it says that the rest will be summed up. */
            LAST_IN_FULL,
            COUNTED
        }

        private int inFull;
        private long total;
        private long counted;

        Line next() {
            total++;
            if (inFull < LOGGED_IN_FULL) {
                inFull++;
                return inFull == LOGGED_IN_FULL ? Line.LAST_IN_FULL : Line.IN_FULL;
            }
            counted++;
            return Line.COUNTED;
        }

        /**
         * The lines counted since the last call, to be summed up now; with none and {@code
         * intervalEnded}, re-arms the lines in full.
         */
        long takeCounted(boolean intervalEnded) {
            long taken = counted;
            counted = 0;
            if (taken == 0 && intervalEnded) {
                inFull = 0;
            }
            return taken;
        }

        /** Lines so far, logged or counted. */
        long total() {
            return total;
        }
    }

    private static String host(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            return inet.getAddress() == null
                    ? inet.getHostString()
                    : inet.getAddress().getHostAddress();
        }
        return String.valueOf(remote);
    }
}
