/**
 * The networks the trainer builds: CIFAR ResNets, wide ResNets, a small CNN and an MLP, as
 * uninitialized DJL blocks with He-normal weights. {@link dev.sharpness.trainer.model.Models} is
 * the entry point.
 */
package dev.sharpness.trainer.model;
