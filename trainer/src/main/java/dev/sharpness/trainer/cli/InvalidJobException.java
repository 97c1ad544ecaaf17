package dev.sharpness.trainer.cli;

/**
 * The job or the command line cannot run as written: exit code 2, with a message naming the field
 * or option. Thrown where such an error is found; an {@link IllegalArgumentException} from deeper
 * down is a bug, and exits 1 with its stack trace.
 */
final class InvalidJobException extends RuntimeException {
    InvalidJobException(String message) {
        super(message);
    }

    InvalidJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
