package dev.sharpness.trainer.cli;

/** The job cannot run as written: exit code 2, with a message naming the field. */
final class InvalidJobException extends RuntimeException {
    InvalidJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
