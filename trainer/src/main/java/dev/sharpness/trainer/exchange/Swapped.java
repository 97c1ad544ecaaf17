package dev.sharpness.trainer.exchange;

import java.nio.ByteBuffer;

/**
 * The peer's half of one swap.
 *
 * @param gradient the peer's vector for the step, in the wire's format: little-endian, position 0,
 *     limit its size; direct, and the exchange's own until the next swap begins
 * @param intent what the peer said it does after the step
 */
public record Swapped(ByteBuffer gradient, StepIntent intent) {}
