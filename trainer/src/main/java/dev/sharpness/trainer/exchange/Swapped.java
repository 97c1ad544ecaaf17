package dev.sharpness.trainer.exchange;

/**
 * The peer's half of one swap.
 *
 * @param gradient the peer's vector for the step
 * @param intent what the peer said it does after the step
 */
public record Swapped(float[] gradient, StepIntent intent) {}
