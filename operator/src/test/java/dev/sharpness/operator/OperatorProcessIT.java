package dev.sharpness.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.operator.testing.MockKubernetesResource;
import dev.sharpness.operator.testing.OperatorProcess;
import dev.sharpness.operator.testing.TestJobs;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The packaged operator as the process a pod runs, configured as the chart configures it, against
 * the strict test API server with the chart's RBAC: it leads, reconciles, and on SIGTERM stops
 * within a few seconds with exit code 0, giving up its Lease so the next instance leads at once;
 * leadership lost while it runs ends it with exit code 1.
 */
// Failsafe names the packaged jar, after `package`; a surefire run selected by -Dtest skips this.
@EnabledIfSystemProperty(named = OperatorProcessIT.JAR_PROPERTY, matches = ".+")
@Timeout(120)
class OperatorProcessIT {
    static final String JAR_PROPERTY = "sam.operator.jar";
    private static final Path LOGS = Path.of("target", "operator-process");
    private static final String LEASE_NAMESPACE = "sam-system";
    private static final String LEASE = "sam-operator-leader";

    /** A cold JVM on a busy machine: the first instance's start, not what the test measures. */
    private static final Duration FIRST_START = Duration.ofSeconds(45);

    /** What the issue asks of a SIGTERM: the process has ended with 0 within this. */
    private static final Duration STOP = Duration.ofSeconds(10);

    /** What the issue asks of a takeover: the next instance leads within this of its start. */
    private static final Duration TAKEOVER = Duration.ofSeconds(5);

    private final MockKubernetesResource apiServer = new MockKubernetesResource();
    private final List<OperatorProcess> processes = new ArrayList<>();
    private Map<String, String> apiServerConfig;
    private KubernetesClient client;
    private Path logs;

    @RegisterExtension
    final TestWatcher printOutputOnFailure =
            new TestWatcher() {
                @Override
                public void testFailed(ExtensionContext context, Throwable cause) {
                    for (OperatorProcess process : processes) {
                        System.out.printf(
                                "%n----- output of %s -----%n%s%n",
                                process.name(), process.output());
                    }
                }
            };

    @BeforeEach
    void startApiServer(TestInfo test) {
        logs = LOGS.resolve(test.getTestMethod().orElseThrow().getName());
        apiServerConfig = apiServer.start();
        client =
                new KubernetesClientBuilder()
                        .withConfig(
                                new ConfigBuilder()
                                        .withMasterUrl(
                                                apiServerConfig.get(
                                                        "quarkus.kubernetes-client.api-server-url"))
                                        .withTrustCerts(true)
                                        .withNamespace(LEASE_NAMESPACE)
                                        .build())
                        .build();
    }

    @AfterEach
    void stopEverything() {
        processes.forEach(OperatorProcess::close);
        if (client != null) {
            client.close();
        }
        try {
            // The processes authenticate as the chart's ServiceAccount: everything they asked
            // for must be granted by the chart's ClusterRole and leader-election Role.
            MockKubernetesResource.server().assertConforms();
        } finally {
            apiServer.stop();
        }
    }

    @Test
    void sigtermEndsTheLeaderWithZeroAndTheNextInstanceLeadsAtOnce() throws Exception {
        OperatorProcess first = start("sam-operator-1");
        await().atMost(FIRST_START).until(() -> holder().equals(Optional.of(first.name())));

        SamTrainingJob job = TestJobs.sampa("led");
        job.getMetadata().setUid(null);
        client.resource(job).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> podsOf("led") == 2);

        long sigterm = System.nanoTime();
        first.terminate();
        OptionalInt exit = first.awaitExit(STOP);
        Duration stopped = Duration.ofNanos(System.nanoTime() - sigterm);
        assertThat(exit).as("exit code within %s of SIGTERM", STOP).hasValue(0);
        assertThat(holder()).as("the Lease's holder after the leader stopped").isEmpty();

        long started = System.nanoTime();
        OperatorProcess second = start("sam-operator-2");
        await().atMost(TAKEOVER).until(() -> holder().equals(Optional.of(second.name())));
        Duration takeover = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf(
                "SIGTERM to exit 0: %d ms; second instance start to lease held: %d ms%n",
                stopped.toMillis(), takeover.toMillis());
    }

    @Test
    void aLeaderThatLosesItsLeaseWhileRunningExitsToRestartAsAFollower() throws Exception {
        OperatorProcess leader = start("sam-operator-1");
        await().atMost(FIRST_START).until(() -> holder().equals(Optional.of(leader.name())));

        // Another instance took the Lease (say, after this one could not renew it in time). The
        // leader renews it every 2 s: a write that meets a renewal (409) reads it again.
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptionsMatching(
                        e -> e instanceof KubernetesClientException k && k.getCode() == 409)
                .until(
                        () -> {
                            client.leases()
                                    .inNamespace(LEASE_NAMESPACE)
                                    .withName(LEASE)
                                    .edit(
                                            lease -> {
                                                lease.getSpec()
                                                        .setHolderIdentity(
                                                                "sam-operator-elsewhere");
                                                lease.getSpec()
                                                        .setRenewTime(
                                                                ZonedDateTime.now(ZoneOffset.UTC));
                                                return lease;
                                            });
                            return true;
                        });

        assertThat(leader.awaitExit(STOP))
                .as("exit code within %s of losing the Lease", STOP)
                .hasValue(1);
        assertThat(holder()).hasValue("sam-operator-elsewhere");
    }

    private OperatorProcess start(String podName) {
        OperatorProcess process =
                OperatorProcess.start(
                        Path.of(System.getProperty(JAR_PROPERTY)),
                        podName,
                        apiServerConfig,
                        TestJobs.NAMESPACE,
                        "sam-trainer:process-test",
                        logs);
        processes.add(process);
        return process;
    }

    /** Who holds the Lease; empty when it is free (released, or not yet taken). */
    private Optional<String> holder() {
        Lease lease = client.leases().inNamespace(LEASE_NAMESPACE).withName(LEASE).get();
        return Optional.ofNullable(lease)
                .map(Lease::getSpec)
                .map(LeaseSpec::getHolderIdentity)
                .filter(holder -> !holder.isEmpty());
    }

    private int podsOf(String job) {
        return client.pods()
                .inNamespace(TestJobs.NAMESPACE)
                .withLabel("sharpness.dev/job", job)
                .list()
                .getItems()
                .size();
    }
}
