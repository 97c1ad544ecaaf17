package dev.sharpness.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class LeaseReleaseTest {
    private static final String NAMESPACE = "sam-system";

    static KubernetesClient client;

    @BeforeEach
    void noLease() {
        client.leases().inNamespace(NAMESPACE).withName(LeaderElection.LEASE_NAME).delete();
    }

    @Test
    void releasingALeaseThisInstanceHoldsClearsItsHolder() {
        createLeaseHeldBy("sam-operator-1");

        boolean released = release("sam-operator-1");

        assertThat(released).isTrue();
        Lease lease = lease();
        assertThat(lease.getSpec().getHolderIdentity()).isNull();
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
        assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(3);
    }

    @Test
    void aLeaseAnotherInstanceHoldsIsLeftAlone() {
        createLeaseHeldBy("sam-operator-2");

        boolean released = release("sam-operator-1");

        assertThat(released).isFalse();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("sam-operator-2");
        assertThat(lease().getSpec().getLeaseDurationSeconds()).isEqualTo(15);
    }

    @Test
    void withoutALeaseThereIsNothingToRelease() {
        assertThat(release("sam-operator-1")).isFalse();
    }

    private boolean release(String identity) {
        return new LeaseRelease(client, NAMESPACE, LeaderElection.LEASE_NAME, identity).release();
    }

    private void createLeaseHeldBy(String holder) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        client.resource(
                        new LeaseBuilder()
                                .withNewMetadata()
                                .withName(LeaderElection.LEASE_NAME)
                                .withNamespace(NAMESPACE)
                                .endMetadata()
                                .withNewSpec()
                                .withHolderIdentity(holder)
                                .withLeaseDurationSeconds(15)
                                .withAcquireTime(now)
                                .withRenewTime(now)
                                .withLeaseTransitions(3)
                                .endSpec()
                                .build())
                .create();
    }

    private Lease lease() {
        return client.leases().inNamespace(NAMESPACE).withName(LeaderElection.LEASE_NAME).get();
    }
}
