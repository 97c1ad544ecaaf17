package dev.sharpness.trainer.exchange;

/**
 * What a rank will do once a step is done, told to its peer with that step's gradient, so that both
 * ranks take the same turns after it without a further round trip.
 *
 * @param checkpoint rank 0 writes a checkpoint after this step: rank 1 then sends its own state
 *     ({@link PairExchange#sendState})
 * @param stop the sender was asked to stop: both ranks end after this step, rank 0 with a
 *     checkpoint
 */
public record StepIntent(boolean checkpoint, boolean stop) {
    /** Carry on, nothing to save. */
    public static final StepIntent NONE = new StepIntent(false, false);

    /** Whether rank 1 sends, and rank 0 awaits, rank 1's state after a step of these intents. */
    public static boolean stateFollows(StepIntent rankZero, StepIntent rankOne) {
        return rankZero.checkpoint || rankZero.stop || rankOne.stop;
    }
}
