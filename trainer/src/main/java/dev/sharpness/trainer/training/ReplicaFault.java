package dev.sharpness.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Test-only fault injection, not a user feature: with the system property {@value #PROPERTY}=N a
 * process nudges one of its parameters after step N, as a bit flip or a differing library would.
 * The two ranks of a pair apply identical arithmetic to identical swapped vectors, so no honest
 * configuration makes their replicas differ; this is how the tests show that the replica check then
 * ends the pair with exit code 5.
 */
final class ReplicaFault {
    static final String PROPERTY = "sam.test.corruptReplicaAfterStep";

    private ReplicaFault() {}

    /** The step after which to corrupt this replica, or -1 (the normal case). */
    static long step() {
        return Long.getLong(PROPERTY, -1L);
    }

    static void corrupt(Network network) {
        NDArray first = network.trainable().get(0);
        NDIndex one = new NDIndex("0");
        first.set(one, first.get(one).add(1e-3f));
    }
}
