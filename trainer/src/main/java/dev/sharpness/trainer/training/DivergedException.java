package dev.sharpness.trainer.training;

/** The loss became NaN or infinite: retrying the same run cannot help (exit code 4). */
public final class DivergedException extends RuntimeException {
    public DivergedException(long step, int epoch, double loss) {
        super(
                String.format(
                        "training diverged: loss %s at step %d (epoch %d); lower the learning rate or rho",
                        loss, step, epoch));
    }
}
