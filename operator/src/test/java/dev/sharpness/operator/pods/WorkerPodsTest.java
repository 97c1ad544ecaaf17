package dev.sharpness.operator.pods;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.ResourcesSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.operator.children.ExchangeNetworkPolicy;
import dev.sharpness.operator.children.JobConfigMap;
import dev.sharpness.operator.testing.TestJobs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The pod contract of DESIGN.md, read off the pods the operator would create. */
class WorkerPodsTest {

    @Test
    void sampaRunsTwoRanksWithTheContractEnvironment() {
        SamTrainingJob job = TestJobs.sampa("pair");
        List<Pod> pods = WorkerPods.desired(job, 3, "trainer:default");

        assertThat(pods)
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("pair-0", "pair-1");
        assertThat(env(pods.get(0)))
                .containsEntry("SAM_RANK", "0")
                .containsEntry("SAM_ATTEMPT", "3")
                .containsEntry("SAM_TOKEN_FILE", "/var/run/sam/token")
                .doesNotContainKey("SAM_PEER");
        assertThat(env(pods.get(1)))
                .containsEntry("SAM_RANK", "1")
                .containsEntry("SAM_PEER", "pair-0.pair.team-a.svc:50051");
        assertThat(pods.get(1).getMetadata().getLabels())
                .containsEntry("sharpness.dev/job", "pair")
                .containsEntry("sharpness.dev/rank", "1")
                .containsEntry("sharpness.dev/role", "auxiliary")
                .containsEntry("sharpness.dev/attempt", "3")
                .containsEntry("app.kubernetes.io/managed-by", "sam-operator");
        Container trainer = pods.get(0).getSpec().getContainers().get(0);
        assertThat(trainer.getImage()).isEqualTo("trainer:default");
        assertThat(trainer.getArgs())
                .containsSubsequence("worker", "--resume")
                .contains("/etc/sam/job.yaml");
        assertThat(pods.get(0).getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pods.get(0).getSpec().getSubdomain()).isEqualTo("pair");
        assertThat(pods.get(0).getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid()));
    }

    @Test
    void ranksOfAPairWriteToTheirOwnRunFolders() {
        SamTrainingJob job = TestJobs.sampa("pair", "spec.checkpoint.volume.claimName=checkpoints");
        List<Pod> pods = WorkerPods.desired(job, 0, "t");
        String uid8 = job.getMetadata().getUid().substring(0, 8);

        // On a shared claim, rank 1's summary.json must not replace rank 0's.
        assertThat(out(pods.get(0))).isEqualTo("/checkpoints/pair-" + uid8 + "/run");
        assertThat(out(pods.get(1))).isEqualTo("/checkpoints/pair-" + uid8 + "/run/rank-1");
    }

    @Test
    void singleWorkerMethodsRunOneRankWithoutPeer() {
        List<Pod> pods = WorkerPods.desired(TestJobs.sam("solo"), 0, "trainer:default");

        assertThat(pods)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(env(p)).doesNotContainKey("SAM_PEER");
                            assertThat(p.getMetadata().getLabels())
                                    .containsEntry("sharpness.dev/role", "single");
                            assertThat(p.getSpec().getAffinity()).isNull();
                        });
    }

    @Test
    void podsMeetTheRestrictedPodSecurityProfile() {
        Pod pod = WorkerPods.desired(TestJobs.sampa("pair"), 0, "t").get(0);
        var podSecurity = pod.getSpec().getSecurityContext();
        var container = pod.getSpec().getContainers().get(0).getSecurityContext();

        assertThat(podSecurity.getRunAsNonRoot()).isTrue();
        assertThat(podSecurity.getRunAsUser()).isEqualTo(65532L);
        assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(container.getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void volumesFollowTheSpecAndTheTokenIsReadOnly() {
        SamTrainingJob job =
                TestJobs.sampa(
                        "pair",
                        "spec.dataset.volume.claimName=datasets",
                        "spec.dataset.volume.readOnly=true",
                        "spec.checkpoint.volume.claimName=checkpoints");
        Pod pod = WorkerPods.desired(job, 0, "t").get(0);
        Map<String, VolumeMount> mounts =
                pod.getSpec().getContainers().get(0).getVolumeMounts().stream()
                        .collect(Collectors.toMap(VolumeMount::getName, m -> m));

        assertThat(mounts.get("job").getMountPath()).isEqualTo("/etc/sam");
        assertThat(mounts.get("token").getReadOnly()).isTrue();
        assertThat(mounts.get("data").getMountPath()).isEqualTo("/data");
        assertThat(mounts.get("data").getReadOnly()).isTrue();
        assertThat(mounts.get("checkpoints").getMountPath()).isEqualTo("/checkpoints");
        assertThat(pod.getSpec().getVolumes())
                .filteredOn(v -> v.getName().equals("checkpoints"))
                .singleElement()
                .satisfies(
                        v ->
                                assertThat(v.getPersistentVolumeClaim().getClaimName())
                                        .isEqualTo("checkpoints"));

        // The trainer reads the same paths from its manifest.
        SamTrainingJob effective =
                ManifestLoader.parse(
                        JobConfigMap.desired(job).getData().get("job.yaml"),
                        "configmap",
                        List.of());
        assertThat(effective.getSpec().getDataset().getPath()).isEqualTo("/data");
        assertThat(effective.getSpec().getCheckpoint().getPath())
                .startsWith("/checkpoints/pair-")
                .contains("/checkpoints-");
        assertThat(effective.getMetadata().getUid()).isEqualTo(job.getMetadata().getUid());
    }

    @Test
    void placementResourcesAndSchedulingComeFromTheSpec() {
        SamTrainingJob job =
                TestJobs.sampa(
                        "pair",
                        "spec.scheduling.placement=SameNode",
                        "spec.scheduling.priorityClassName=research",
                        "spec.scheduling.schedulerName=volcano",
                        "spec.scheduling.queueName=team-a-gpus",
                        "spec.worker.image=registry.example/trainer:cuda",
                        "spec.worker.template.nodeSelector.gpu=a100",
                        "spec.worker.template.env[0].name=SAM_RANK",
                        "spec.worker.template.env[0].value=seven",
                        "spec.worker.template.env[1].name=NCCL_DEBUG",
                        "spec.worker.template.env[1].value=INFO",
                        "spec.worker.template.env[2].name=SAM_CPU_CORES",
                        "spec.worker.template.env[2].value=all");
        ResourcesSpec resources = new ResourcesSpec();
        resources.setLimits(Map.of("nvidia.com/gpu", new Quantity("1")));
        job.getSpec().getWorker().setResources(resources);
        Pod pod = WorkerPods.desired(job, 2, "t").get(1);

        assertThat(
                        pod.getSpec()
                                .getAffinity()
                                .getPodAffinity()
                                .getRequiredDuringSchedulingIgnoredDuringExecution())
                .singleElement()
                .satisfies(
                        term -> {
                            assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                            assertThat(term.getLabelSelector().getMatchLabels())
                                    .containsEntry("sharpness.dev/attempt", "2");
                        });
        assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("research");
        assertThat(pod.getSpec().getSchedulerName()).isEqualTo("volcano");
        assertThat(pod.getMetadata().getLabels())
                .containsEntry("kueue.x-k8s.io/queue-name", "team-a-gpus")
                .containsEntry("kueue.x-k8s.io/pod-group-name", "pair-2");
        assertThat(pod.getMetadata().getAnnotations())
                .containsEntry("kueue.x-k8s.io/pod-group-total-count", "2");
        Container trainer = pod.getSpec().getContainers().get(0);
        assertThat(trainer.getImage()).isEqualTo("registry.example/trainer:cuda");
        assertThat(trainer.getResources().getLimits())
                .containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(pod.getSpec().getNodeSelector()).containsEntry("gpu", "a100");
        assertThat(env(pod)).containsEntry("SAM_RANK", "1").containsEntry("NCCL_DEBUG", "INFO");
        assertThat(trainer.getEnv()).filteredOn(e -> e.getName().equals("SAM_RANK")).hasSize(1);
        assertThat(trainer.getEnv())
                .filteredOn(e -> e.getName().equals("SAM_CPU_CORES"))
                .singleElement()
                .satisfies(e -> assertThat(e.getValueFrom()).isNotNull());

        SamTrainingJob spread = TestJobs.sampa("pair", "spec.scheduling.placement=Spread");
        assertThat(
                        WorkerPods.desired(spread, 0, "t")
                                .get(0)
                                .getSpec()
                                .getAffinity()
                                .getPodAntiAffinity())
                .isNotNull();
    }

    @Test
    void eachRankIsToldItsContainersCpuRequestInWholeCores() {
        for (Pod pod : WorkerPods.desired(TestJobs.sampa("pair"), 0, "t")) {
            Container trainer = pod.getSpec().getContainers().get(0);
            EnvVar cores =
                    trainer.getEnv().stream()
                            .filter(e -> e.getName().equals("SAM_CPU_CORES"))
                            .findFirst()
                            .orElseThrow();

            // The kubelet fills it in: the request as the API server stored it, defaults included.
            assertThat(cores.getValue()).isNull();
            assertThat(cores.getValueFrom().getResourceFieldRef())
                    .satisfies(
                            field -> {
                                assertThat(field.getContainerName()).isEqualTo(trainer.getName());
                                assertThat(field.getResource()).isEqualTo("requests.cpu");
                                assertThat(field.getDivisor()).isEqualTo(new Quantity("1"));
                            });
        }
    }

    @Test
    void exchangePortIsOpenOnlyToThePairAndTheOperator() {
        var policy = ExchangeNetworkPolicy.desired(TestJobs.sampa("pair"), "sam-system");
        var exchange = policy.getSpec().getIngress().get(0);

        assertThat(exchange.getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(50051));
        assertThat(exchange.getFrom()).hasSize(2);
        assertThat(exchange.getFrom().get(0).getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("sharpness.dev/job", "pair"));
        assertThat(exchange.getFrom().get(1).getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "sam-system"));
    }

    private static Map<String, String> env(Pod pod) {
        return pod.getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b));
    }

    private static String out(Pod pod) {
        List<String> args = pod.getSpec().getContainers().get(0).getArgs();
        return args.get(args.indexOf("--out") + 1);
    }
}
