package dev.sharpness.trainer.exchange;

/**
 * The peer did not deliver within the exchange timeout, or the connection to it broke: the pair
 * cannot go on (exit code 3, the operator restarts the pair).
 */
public final class PeerLostException extends RuntimeException {

    public PeerLostException(String message) {
        super(message);
    }

    public PeerLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
