package dev.sharpness.trainer.training;

import java.nio.file.Path;

/** The run stopped early because it was asked to ({@link StopRequest}), after a checkpoint. */
public final class StoppedException extends RuntimeException {
    private final long step;
    private final transient Path checkpoint;

    /** {@code checkpoint}: the file written at {@code step}; null on a rank that writes none. */
    public StoppedException(long step, Path checkpoint) {
        super(
                "stopped as asked after step "
                        + step
                        + (checkpoint == null ? "" : "; checkpoint " + checkpoint));
        this.step = step;
        this.checkpoint = checkpoint;
    }

    public long step() {
        return step;
    }

    /** Null on rank 1, which writes no checkpoints. */
    public Path checkpoint() {
        return checkpoint;
    }
}
