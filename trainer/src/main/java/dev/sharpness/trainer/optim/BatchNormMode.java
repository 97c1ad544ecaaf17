package dev.sharpness.trainer.optim;

/** Whether a training-mode forward pass may change BatchNorm's running statistics. */
public enum BatchNormMode {
    /** The pass updates running mean and variance, as a plain training step does. */
    UPDATE,
    /** The running statistics are exactly as before the pass (SAM's perturbed pass). */
    FREEZE
}
