package dev.sharpness.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Gives up a Lease this instance holds, as client-go's leader election does when it stops cleanly:
 * no holder and a one-second duration, so a standby takes it on its next try instead of waiting for
 * the lease to run out.
 */
final class LeaseRelease {
    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;

    LeaseRelease(KubernetesClient client, String namespace, String name, String identity) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.identity = identity;
    }

    /**
     * Releases the Lease if {@code identity} holds it.
     *
     * @return whether it was released; false when it is held by another instance, or by none
     */
    boolean release() {
        Lease lease = client.leases().inNamespace(namespace).withName(name).get();
        LeaseSpec spec = lease == null ? null : lease.getSpec();
        if (spec == null || !identity.equals(spec.getHolderIdentity())) {
            return false;
        }
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        spec.setHolderIdentity(null);
        spec.setLeaseDurationSeconds(1);
        spec.setAcquireTime(now);
        spec.setRenewTime(now);
        // An update carries the resourceVersion just read: should another instance take the Lease
        // in between, the API server refuses this write rather than free that instance's Lease.
        client.resource(lease).update();
        return true;
    }
}
