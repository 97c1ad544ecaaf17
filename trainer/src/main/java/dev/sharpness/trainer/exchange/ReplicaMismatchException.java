package dev.sharpness.trainer.exchange;

/** The two ranks hold different parameters although they applied the same updates (exit code 5). */
public final class ReplicaMismatchException extends RuntimeException {

    public ReplicaMismatchException(String message) {
        super(message);
    }

    public ReplicaMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
