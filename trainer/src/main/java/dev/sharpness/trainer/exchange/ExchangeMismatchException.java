package dev.sharpness.trainer.exchange;

/**
 * The two ranks are not a pair: job, attempt, spec hash, parameter layout, wire precision, protocol
 * version or token differ. The message names each difference.
 */
public final class ExchangeMismatchException extends RuntimeException {

    public ExchangeMismatchException(String message) {
        super(message);
    }

    public ExchangeMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
