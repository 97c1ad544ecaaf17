package dev.sharpness.trainer.data;

/**
 * Missing, truncated or corrupt data: the message names the file or field and what was expected.
 */
public final class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
