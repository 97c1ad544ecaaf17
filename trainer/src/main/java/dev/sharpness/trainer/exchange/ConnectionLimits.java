package dev.sharpness.trainer.exchange;

import java.time.Duration;

/**
 * How much of a worker's exchange port a hostile network may hold. Anyone who can reach the port
 * can open connections; without these bounds 20,000 silent ones used up rank 0's descriptors and
 * its next checkpoint failed. The authenticated peer's connection is never closed by them: it
 * completes its handshake at once and always has its exchange stream open, so it is neither slow
 * nor idle, and it is one of the few connections under the cap.
 *
 * @param maxConnections open TCP connections at most; newer ones are closed as soon as they are
 *     accepted
 * @param handshakeDeadline a connection that has not sent the HTTP/2 preface and settings by then
 *     is closed
 * @param idleTimeout a connection without a call for this long is closed
 * @param maxCallsPerConnection concurrent calls (HTTP/2 streams) on one connection at most
 * @param callThreads the threads that run call handlers (refusals included)
 * @param maxResets streams a client may reset (HTTP/2 RST_STREAM) on one connection per {@code
 *     resetWindow}; one that resets more is closed
 * @param resetWindow the window {@code maxResets} counts in, in whole seconds
 */
record ConnectionLimits(
        int maxConnections,
        Duration handshakeDeadline,
        Duration idleTimeout,
        int maxCallsPerConnection,
        int callThreads,
        int maxResets,
        Duration resetWindow) {

    /**
     * The pair needs one connection (rank 1's) and the operator one per progress poll; 64 leave a
     * process with the common soft limit of 1024 descriptors almost all of them for the peer, DJL's
     * libraries, the data and the checkpoint. A client on loopback or in the cluster network sends
     * the HTTP/2 preface within milliseconds, so 10 s only ever cuts off a silent one. A connection
     * without a call for 5 minutes is no worker's and no live operator's (the operator polls on a
     * fresh channel every few seconds). Rank 1 holds at most two calls at a time, the operator one:
     * 16 streams a connection is plenty. Call handlers never block, so 4 threads carry the pair's
     * frames and absorb a flood of refusals alike. A client resets a stream when it gives up on a
     * call: rank 1 when it closes, the operator when a poll times out, a few times a minute at
     * most. A client that opens and resets streams in a loop (HTTP/2's "rapid reset") passes the
     * limit of 16 at once, since a reset stream no longer counts, and kept rank 0's core busy from
     * one connection; 200 resets in 30 s close it (the limit Netty's own HTTP/2 servers use).
     */
    static final ConnectionLimits DEFAULT =
            new ConnectionLimits(
                    64,
                    Duration.ofSeconds(10),
                    Duration.ofMinutes(5),
                    16,
                    4,
                    200,
                    Duration.ofSeconds(30));

    ConnectionLimits {
        if (maxConnections < 1 || maxCallsPerConnection < 1 || callThreads < 1 || maxResets < 1) {
            throw new IllegalArgumentException("connection limits must be positive");
        }
        if (handshakeDeadline.isNegative()
                || handshakeDeadline.isZero()
                || idleTimeout.isNegative()
                || idleTimeout.isZero()
                || resetWindow.toSeconds() < 1) {
            throw new IllegalArgumentException("connection deadlines must be positive");
        }
    }
}
