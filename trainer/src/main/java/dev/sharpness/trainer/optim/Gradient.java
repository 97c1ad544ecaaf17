package dev.sharpness.trainer.optim;

/**
 * The gradient of the mean minibatch loss at the parameters it was computed at, with the loss and
 * the number of correct predictions of that pass for reporting.
 *
 * @param vector one tensor per trainable parameter, owned by the manager the caller passed
 * @param loss mean loss of the pass
 * @param correct samples whose arg-max prediction equals the label
 * @param samples samples in the pass
 */
public record Gradient(ParamVector vector, double loss, long correct, int samples) {}
