package dev.sharpness.trainer.cli;

import dev.sharpness.api.worker.WorkerEnv;

/**
 * The cores a worker sizes its PyTorch threads and exchange streams to: the fewer of those the JVM
 * may use and those its pod requested ({@link WorkerEnv#CPU_CORES}, which the operator sets from
 * the downward API).
 *
 * <p>Why both: the JVM follows a container's CPU limit and the process's CPU affinity, but not its
 * CPU request. GPU pods commonly request CPU without a limit; sized by the JVM alone, such a pod on
 * a node of 100 cores would run 100 PyTorch threads and the most exchange streams, beside the other
 * pods that the node's cores were promised to. Sized by the request it runs what it asked for, the
 * same on any node, and so also the same intra-op thread count (part of a bit-exact result) after a
 * retry on another node.
 */
final class PodCores {
    private PodCores() {}

    /**
     * @param requested the variable's value: whole cores, 0 or absent where nothing is requested
     * @param available the cores the JVM may use
     * @throws InvalidJobException when the value is not a whole number of cores
     */
    static int usable(String requested, int available) {
        if (requested == null || requested.isBlank()) {
            return available;
        }
        long cores;
        try {
            cores = Long.parseLong(requested.strip());
        } catch (NumberFormatException e) {
            cores = -1;
        }
        if (cores < 0) {
            throw new InvalidJobException(
                    WorkerEnv.CPU_CORES
                            + ": expected the pod's CPU request in whole cores (0 for none), got '"
                            + requested
                            + "'");
        }
        return cores == 0 ? available : (int) Math.min(available, cores);
    }
}
