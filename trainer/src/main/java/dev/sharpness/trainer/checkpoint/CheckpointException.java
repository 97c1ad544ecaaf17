package dev.sharpness.trainer.checkpoint;

/** No usable checkpoint where one was required; the message names the files and what was wrong. */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
