package dev.sharpness.trainer.checkpoint;

/**
 * A checkpoint could not be written (a full disk, a read-only or vanished volume). The run cannot
 * go on without its checkpoints, but the job itself is not at fault: a retry, perhaps after space
 * has been freed, can succeed. The message is one line naming the file and the cause.
 */
public final class CheckpointWriteException extends RuntimeException {
    public CheckpointWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
