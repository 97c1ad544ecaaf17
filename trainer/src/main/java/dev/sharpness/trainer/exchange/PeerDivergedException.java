package dev.sharpness.trainer.exchange;

/**
 * The peer's training diverged and it said so before it ended the stream: the pair cannot go on,
 * and for the same reason as the peer, so this rank reports a divergence too (exit code 4, not
 * retried), not a lost peer.
 */
public final class PeerDivergedException extends RuntimeException {

    public PeerDivergedException(String message) {
        super(message);
    }

    public PeerDivergedException(String message, Throwable cause) {
        super(message, cause);
    }
}
