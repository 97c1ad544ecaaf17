package dev.sharpness.trainer.exchange;

/**
 * The peer sent something the protocol does not allow: a frame for another step or kind, a gap or
 * overlap between chunks, a wrongly sized vector.
 */
public final class ExchangeProtocolException extends RuntimeException {

    public ExchangeProtocolException(String message) {
        super(message);
    }

    public ExchangeProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
