package dev.sharpness.trainer.training.listener;

/**
 * What the listeners hear after every step.
 *
 * @param step steps done in the whole run, the one just taken included
 * @param epoch the epoch the step belongs to, from 0
 * @param loss the training loss on the step's batch
 * @param accuracy the training accuracy on the step's batch
 * @param learningRate the step's learning rate
 * @param stepSeconds the wall time of the optimizer step alone
 */
public record StepReport(
        long step,
        int epoch,
        double loss,
        double accuracy,
        double learningRate,
        double stepSeconds) {}
