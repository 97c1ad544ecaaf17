/**
 * The contract between the operator and the trainer's {@code worker} command, in one place both
 * import: what a worker pod is given (its environment and files, {@link WorkerEnv}, {@link
 * WorkerFiles}), what it answers with (its {@link ExitCode}, its {@link TerminationMessage}) and
 * what it reports while it runs ({@link ProgressReport}). The operator builds pods from these names
 * and reads pods back with these types; the trainer reads its environment and writes its exit and
 * message with the same ones, so neither side spells the contract out by hand.
 *
 * <p>Beside {@code v1alpha1} (the resource users write) and {@code manifest} (reading a job file),
 * not inside {@code v1alpha1}: the contract is between two programs of one release, not part of the
 * versioned API, and it changes with neither.
 */
package dev.sharpness.api.worker;
