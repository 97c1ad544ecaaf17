package dev.sharpness.charts;

import static dev.sharpness.charts.RenderedChart.NAMESPACE;
import static dev.sharpness.charts.RenderedChart.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's Deployment: the image, env, probes and security contract of the operator. */
class DeploymentTest {
    private static final String APP_VERSION = "0.1.0";

    @Test
    void defaultsWatchAllNamespacesWithTheDefaultTrainerImage() {
        Container operator = operator(RenderedChart.render());

        assertThat(operator.getImage())
                .isEqualTo("ghcr.io/sharpness-dev/sam-operator:" + APP_VERSION);
        assertThat(operator.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(env(operator))
                .containsEntry("SAM_OPERATOR_WATCH_NAMESPACES", "")
                .containsEntry(
                        "SAM_OPERATOR_DEFAULT_TRAINER_IMAGE",
                        "ghcr.io/sharpness-dev/sam-trainer:" + APP_VERSION)
                .containsEntry("SAM_OPERATOR_PROGRESS_POLL_INTERVAL", "15s")
                .containsEntry("SAM_OPERATOR_RECONCILE_CONCURRENCY", "4")
                .containsEntry("QUARKUS_LOG_CATEGORY__DEV_SHARPNESS__LEVEL", "INFO");
    }

    @Test
    void theHeapIsSizedFromTheContainersMemoryLimitWithRoomForTheRestOfTheJvm() {
        Container operator = operator(RenderedChart.render());

        assertThat(env(operator)).containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=70.0");
        long limit =
                operator.getResources().getLimits().get("memory").getNumericalAmount().longValue();
        assertThat(limit).isEqualTo(512L << 20);
        long heap = limit * 70 / 100;
        // 1000 SAMPa jobs: the operator's caches retain 21 MiB pruned, 60 MiB unpruned against a
        // server that stores managedFields, and 132 MiB were measured on a cluster before pruning
        // (docs/benchmarks/operator-scale.md). What is not heap (classes, compiled code, threads,
        // direct buffers) takes 100-150 MiB in a Quarkus JVM.
        assertThat(heap).isGreaterThanOrEqualTo(256L << 20);
        assertThat(limit - heap).isGreaterThanOrEqualTo(128L << 20);
    }

    @Test
    void jvmOptionsFollowTheHeapShareAndNullLeavesTheJvmDefault() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("jvm.maxRamPercentage", 60);
        values.put("jvm.options", "-XX:+ExitOnOutOfMemoryError");
        assertThat(env(operator(RenderedChart.render(values))))
                .containsEntry(
                        "JAVA_TOOL_OPTIONS",
                        "-XX:MaxRAMPercentage=60.0 -XX:+ExitOnOutOfMemoryError");

        assertThat(env(operator(RenderedChart.render(Map.of("jvm.maxRamPercentage", "null")))))
                .doesNotContainKey("JAVA_TOOL_OPTIONS");
    }

    @Test
    void podNamespaceComesFromTheDownwardApiForTheLeaderElectionLease() {
        EnvVar podNamespace =
                operator(RenderedChart.render()).getEnv().stream()
                        .filter(e -> e.getName().equals("POD_NAMESPACE"))
                        .findFirst()
                        .orElseThrow();

        assertThat(podNamespace.getValue()).isNull();
        assertThat(podNamespace.getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.namespace");
    }

    @Test
    void listedNamespacesAndSettingsReachTheOperatorsEnv() {
        Map<String, Object> values = new LinkedHashMap<>(RenderedChart.TWO_NAMESPACES);
        values.put("trainer.image", "registry.example/sam-trainer:cu128");
        values.put("progressPollInterval", "PT30S");
        values.put("reconcileConcurrency", 8);
        values.put("logLevel", "DEBUG");
        values.put("image.tag", "0.2.0");

        Container operator = operator(RenderedChart.render(values));

        assertThat(operator.getImage()).isEqualTo("ghcr.io/sharpness-dev/sam-operator:0.2.0");
        assertThat(env(operator))
                .containsEntry("SAM_OPERATOR_WATCH_NAMESPACES", "team-a,team-b")
                .containsEntry(
                        "SAM_OPERATOR_DEFAULT_TRAINER_IMAGE", "registry.example/sam-trainer:cu128")
                .containsEntry("SAM_OPERATOR_PROGRESS_POLL_INTERVAL", "PT30S")
                .containsEntry("SAM_OPERATOR_RECONCILE_CONCURRENCY", "8")
                .containsEntry("QUARKUS_LOG_CATEGORY__DEV_SHARPNESS__LEVEL", "DEBUG");
    }

    @Test
    void runsUnderTheRestrictedPodSecurityProfileWithAWritableTmp() {
        PodSpec pod = pod(RenderedChart.render());
        Container operator = pod.getContainers().get(0);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType())
                .isEqualTo("RuntimeDefault");
        SecurityContext container = operator.getSecurityContext();
        assertThat(container.getRunAsNonRoot()).isTrue();
        assertThat(container.getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(container.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        assertThat(operator.getVolumeMounts())
                .singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(pod.getVolumes())
                .singleElement()
                .satisfies(
                        v -> {
                            assertThat(v.getName())
                                    .isEqualTo(operator.getVolumeMounts().get(0).getName());
                            assertThat(v.getEmptyDir()).isNotNull();
                        });
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    }

    @Test
    void probesAskQuarkusHealthOnTheHttpPort() {
        Container operator = operator(RenderedChart.render());

        assertThat(operator.getPorts())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getName()).isEqualTo("http");
                            assertThat(p.getContainerPort()).isEqualTo(8080);
                        });
        assertHttpGet(operator.getLivenessProbe(), "/q/health/live");
        assertHttpGet(operator.getReadinessProbe(), "/q/health/ready");
        assertHttpGet(operator.getStartupProbe(), "/q/health/live");
    }

    @Test
    void runsAsItsOwnServiceAccountWithTheConfiguredResources() {
        RenderedChart chart =
                RenderedChart.render(
                        Map.of("resources.limits.memory", "1Gi", "resources.requests.cpu", "250m"));
        PodSpec pod = pod(chart);

        ServiceAccount account = chart.get(ServiceAccount.class, RELEASE);
        assertThat(account.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(pod.getServiceAccountName()).isEqualTo(RELEASE);
        var resources = pod.getContainers().get(0).getResources();
        assertThat(resources.getLimits()).containsEntry("memory", new Quantity("1Gi"));
        assertThat(resources.getRequests())
                .containsEntry("cpu", new Quantity("250m"))
                .containsEntry("memory", new Quantity("256Mi"));
    }

    @Test
    void schedulingValuesAndPullSecretsReachThePod() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("nodeSelector.kubernetes\\.io/os", "linux");
        values.put("tolerations[0].key", "dedicated");
        values.put("tolerations[0].operator", "Exists");
        values.put("tolerations[0].effect", "NoSchedule");
        values.put(
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                        + ".nodeSelectorTerms[0].matchExpressions[0].key",
                "pool");
        values.put(
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                        + ".nodeSelectorTerms[0].matchExpressions[0].operator",
                "Exists");
        values.put("imagePullSecrets[0].name", "regcred");
        values.put("podSecurityContext.runAsUser", 185);

        PodSpec pod = pod(RenderedChart.render(values));

        assertThat(pod.getNodeSelector()).containsExactly(Map.entry("kubernetes.io/os", "linux"));
        assertThat(pod.getTolerations())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.getKey()).isEqualTo("dedicated");
                            assertThat(t.getEffect()).isEqualTo("NoSchedule");
                        });
        assertThat(
                        pod.getAffinity()
                                .getNodeAffinity()
                                .getRequiredDuringSchedulingIgnoredDuringExecution()
                                .getNodeSelectorTerms())
                .hasSize(1);
        assertThat(pod.getImagePullSecrets())
                .singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("regcred"));
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(185L);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    @Test
    void selectorMatchesThePodTemplate() {
        Deployment deployment = RenderedChart.render().get(Deployment.class, RELEASE);

        assertThat(deployment.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void operatorPodsCarryTheLabelsTrainerNetworkPoliciesAdmitWhateverTheReleaseIsCalled() {
        Deployment deployment =
                RenderedChart.render(Map.of("nameOverride", "other", "fullnameOverride", "renamed"))
                        .get(Deployment.class, "renamed");

        // The operator's ExchangeNetworkPolicy selects the operator's pods by these labels.
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/part-of", "sam-operator")
                .containsEntry("app.kubernetes.io/component", "operator");
    }

    private static void assertHttpGet(Probe probe, String path) {
        assertThat(probe).as("probe on %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    static PodSpec pod(RenderedChart chart) {
        return chart.get(Deployment.class, RELEASE).getSpec().getTemplate().getSpec();
    }

    static Container operator(RenderedChart chart) {
        List<Container> containers = pod(chart).getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    /** Plain env values by name (values from the downward API map to null). */
    static Map<String, String> env(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            assertThat(env).as("env %s set twice", var.getName()).doesNotContainKey(var.getName());
            env.put(var.getName(), var.getValue());
        }
        return env;
    }
}
