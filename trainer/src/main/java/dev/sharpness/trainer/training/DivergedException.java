package dev.sharpness.trainer.training;

/** The loss became NaN or infinite: retrying the same run cannot help (exit code 4). */
public final class DivergedException extends RuntimeException {
    public DivergedException(long step, int epoch, double loss) {
        super(
                String.format(
                        "training diverged: loss %s at step %d (epoch %d); lower the learning rate or rho",
                        loss, step, epoch));
    }

    /** The peer of a pair diverged: {@code message} says where. */
    public DivergedException(String message, Throwable cause) {
        super(message, cause);
    }
}
