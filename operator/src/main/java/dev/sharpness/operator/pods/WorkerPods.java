package dev.sharpness.operator.pods;

import dev.sharpness.api.v1alpha1.CheckpointSpec;
import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.DatasetSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SchedulingSpec;
import dev.sharpness.api.v1alpha1.WorkerSpec;
import dev.sharpness.api.v1alpha1.WorkerTemplateSpec;
import dev.sharpness.api.worker.WorkerEnv;
import dev.sharpness.api.worker.WorkerFiles;
import dev.sharpness.operator.children.JobNames;
import dev.sharpness.operator.children.Owners;
import dev.sharpness.operator.children.TrainerPaths;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer pods of one execution attempt: {@code <job>-0} and {@code <job>-1} for SAMPa, {@code
 * <job>-0} otherwise. A pure function of the job, the attempt and the default image, so every
 * detail of the pod contract is testable without a server.
 */
public final class WorkerPods {
    /** The trainer container's name; status reads its exit code and termination message. */
    public static final String CONTAINER = "trainer";

    /** The non-root user of the trainer image. */
    static final long USER = 65532;

    /** Rank 0 writes a checkpoint on SIGTERM; this is its time to do so. */
    static final long GRACE_SECONDS = 60;

    private static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";
    private static final String KUEUE_GROUP = "kueue.x-k8s.io/pod-group-name";
    private static final String KUEUE_COUNT = "kueue.x-k8s.io/pod-group-total-count";
    private static final String HOSTNAME_TOPOLOGY = "kubernetes.io/hostname";

    private WorkerPods() {}

    public static List<Pod> desired(SamTrainingJob job, int attempt, String defaultImage) {
        List<Pod> pods = new ArrayList<>();
        for (int rank = 0; rank < JobNames.workers(job); rank++) {
            pods.add(pod(job, rank, attempt, defaultImage));
        }
        return pods;
    }

    static Pod pod(SamTrainingJob job, int rank, int attempt, String defaultImage) {
        WorkerSpec worker = job.getSpec().getWorker();
        WorkerTemplateSpec template =
                worker.getTemplate() != null ? worker.getTemplate() : new WorkerTemplateSpec();
        SchedulingSpec scheduling = job.getSpec().getScheduling();
        PodSpecBuilder spec =
                new PodSpecBuilder()
                        .withRestartPolicy("Never")
                        .withHostname(JobNames.pod(job, rank))
                        .withSubdomain(JobNames.service(job))
                        .withAutomountServiceAccountToken(false)
                        .withServiceAccountName(template.getServiceAccountName())
                        .withTerminationGracePeriodSeconds(GRACE_SECONDS)
                        .withNodeSelector(template.getNodeSelector())
                        .withTolerations(template.getTolerations())
                        .withImagePullSecrets(template.getImagePullSecrets())
                        .withAffinity(affinity(job, attempt))
                        .withNewSecurityContext()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(USER)
                        .withRunAsGroup(USER)
                        .withFsGroup(USER)
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .endSecurityContext()
                        .withVolumes(volumes(job))
                        .withContainers(container(job, rank, attempt, defaultImage, template));
        if (!isBlank(scheduling.getPriorityClassName())) {
            spec.withPriorityClassName(scheduling.getPriorityClassName());
        }
        if (!isBlank(scheduling.getSchedulerName())) {
            spec.withSchedulerName(scheduling.getSchedulerName());
        }
        return new PodBuilder()
                .withMetadata(metadata(job, rank, attempt, template))
                .withSpec(spec.build())
                .build();
    }

    /** Name, owner, the template's labels and annotations under the operator's own. */
    private static ObjectMeta metadata(
            SamTrainingJob job, int rank, int attempt, WorkerTemplateSpec template) {
        SchedulingSpec scheduling = job.getSpec().getScheduling();
        Map<String, String> labels = new LinkedHashMap<>();
        if (template.getLabels() != null) {
            labels.putAll(template.getLabels());
        }
        labels.putAll(attemptLabels(job, attempt));
        labels.put(Constants.LABEL_RANK, Integer.toString(rank));
        labels.put(Constants.LABEL_ROLE, JobNames.role(job, rank));
        Map<String, String> annotations = new LinkedHashMap<>();
        if (template.getAnnotations() != null) {
            annotations.putAll(template.getAnnotations());
        }
        if (!isBlank(scheduling.getQueueName())) {
            labels.put(KUEUE_QUEUE, scheduling.getQueueName());
            labels.put(KUEUE_GROUP, JobNames.podGroup(job, attempt));
            annotations.put(KUEUE_COUNT, Integer.toString(JobNames.workers(job)));
        }
        ObjectMeta metadata = Owners.ownedBy(job, JobNames.pod(job, rank), labels);
        metadata.setAnnotations(annotations);
        return metadata;
    }

    /** The trainer container: the worker contract's arguments, env, files and ports. */
    private static Container container(
            SamTrainingJob job,
            int rank,
            int attempt,
            String defaultImage,
            WorkerTemplateSpec template) {
        WorkerSpec worker = job.getSpec().getWorker();
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(worker.getImage() != null ? worker.getImage() : defaultImage)
                .withImagePullPolicy("IfNotPresent")
                .withArgs(
                        "worker",
                        "--manifest",
                        TrainerPaths.MANIFEST,
                        "--out",
                        TrainerPaths.runFolder(job, rank),
                        "--resume",
                        "--metrics-port",
                        Integer.toString(TrainerPaths.METRICS_PORT),
                        "--termination-log",
                        WorkerFiles.TERMINATION_LOG)
                .withEnv(env(job, rank, attempt, template))
                .addNewPort()
                .withName("exchange")
                .withContainerPort(job.getSpec().getCommunication().getPort())
                .endPort()
                .addNewPort()
                .withName("metrics")
                .withContainerPort(TrainerPaths.METRICS_PORT)
                .endPort()
                .withResources(resources(worker))
                .withTerminationMessagePolicy("File")
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .withVolumeMounts(mounts(job))
                .build();
    }

    private static ResourceRequirements resources(WorkerSpec worker) {
        if (worker.getResources() == null) {
            return null;
        }
        return new ResourceRequirementsBuilder()
                .withLimits(worker.getResources().getLimits())
                .withRequests(worker.getResources().getRequests())
                .build();
    }

    /** Labels shared by the pods of one attempt; selectors use them. */
    public static Map<String, String> attemptLabels(SamTrainingJob job, int attempt) {
        Map<String, String> labels = Owners.jobLabels(job);
        labels.put(Constants.LABEL_ATTEMPT, Integer.toString(attempt));
        return labels;
    }

    private static List<EnvVar> env(
            SamTrainingJob job, int rank, int attempt, WorkerTemplateSpec template) {
        List<EnvVar> env = new ArrayList<>();
        if (template.getEnv() != null) {
            template.getEnv().stream()
                    .filter(variable -> !WorkerEnv.ALL.contains(variable.getName()))
                    .forEach(env::add);
        }
        env.add(new EnvVar(WorkerEnv.RANK, Integer.toString(rank), null));
        env.add(new EnvVar(WorkerEnv.ATTEMPT, Integer.toString(attempt), null));
        env.add(new EnvVar(WorkerEnv.TOKEN_FILE, TrainerPaths.TOKEN_FILE, null));
        env.add(requestedCores());
        if (rank > 0) {
            env.add(new EnvVar(WorkerEnv.PEER, peer(job), null));
        }
        // PyTorch's native library is unpacked from the jar; the root file system is read-only.
        env.add(new EnvVar("DJL_CACHE_DIR", TrainerPaths.TMP + "/djl", null));
        return env;
    }

    /**
     * The container's CPU request in whole cores, rounded up, as the kubelet resolves it (0 when
     * none): the trainer sizes its threads and exchange streams by it (see {@link
     * WorkerEnv#CPU_CORES}). From the downward API rather than the spec, so that a request a
     * LimitRange or the API server's defaults filled in counts too.
     */
    private static EnvVar requestedCores() {
        return new EnvVarBuilder()
                .withName(WorkerEnv.CPU_CORES)
                .withNewValueFrom()
                .withNewResourceFieldRef()
                .withContainerName(CONTAINER)
                .withResource("requests.cpu")
                .withDivisor(new Quantity("1"))
                .endResourceFieldRef()
                .endValueFrom()
                .build();
    }

    /** Rank 0's stable address through the headless Service. */
    public static String peer(SamTrainingJob job) {
        return JobNames.pod(job, 0)
                + "."
                + JobNames.service(job)
                + "."
                + job.getMetadata().getNamespace()
                + ".svc:"
                + job.getSpec().getCommunication().getPort();
    }

    private static Affinity affinity(SamTrainingJob job, int attempt) {
        if (JobNames.workers(job) == 1) {
            return null;
        }
        LabelSelector partner =
                new LabelSelectorBuilder().withMatchLabels(attemptLabels(job, attempt)).build();
        PodAffinityTerm sameHost =
                new PodAffinityTermBuilder()
                        .withLabelSelector(partner)
                        .withTopologyKey(HOSTNAME_TOPOLOGY)
                        .build();
        AffinityBuilder affinity = new AffinityBuilder();
        switch (job.getSpec().getScheduling().getPlacement()) {
            case SAME_NODE ->
                    affinity.withNewPodAffinity()
                            .withRequiredDuringSchedulingIgnoredDuringExecution(sameHost)
                            .endPodAffinity();
            case SPREAD ->
                    affinity.withNewPodAntiAffinity()
                            .withRequiredDuringSchedulingIgnoredDuringExecution(sameHost)
                            .endPodAntiAffinity();
            case ANY ->
                    affinity.withNewPodAffinity()
                            .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                            .withWeight(100)
                            .withPodAffinityTerm(sameHost)
                            .endPreferredDuringSchedulingIgnoredDuringExecution()
                            .endPodAffinity();
        }
        return affinity.build();
    }

    private static List<Volume> volumes(SamTrainingJob job) {
        List<Volume> volumes = new ArrayList<>();
        volumes.add(
                new VolumeBuilder()
                        .withName("job")
                        .withNewConfigMap()
                        .withName(JobNames.configMap(job))
                        .endConfigMap()
                        .build());
        volumes.add(
                new VolumeBuilder()
                        .withName("token")
                        .withNewSecret()
                        .withSecretName(JobNames.secret(job))
                        .withDefaultMode(0400)
                        .endSecret()
                        .build());
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        CheckpointSpec checkpoint = job.getSpec().getCheckpoint();
        VolumeBuilder checkpoints = new VolumeBuilder().withName("checkpoints");
        if (checkpoint.getVolume() != null) {
            checkpoints
                    .withNewPersistentVolumeClaim()
                    .withClaimName(checkpoint.getVolume().getClaimName())
                    .withReadOnly(false)
                    .endPersistentVolumeClaim();
        } else {
            checkpoints.withNewEmptyDir().endEmptyDir();
        }
        volumes.add(checkpoints.build());
        DatasetSpec dataset = job.getSpec().getDataset();
        if (dataset.getVolume() != null) {
            volumes.add(
                    new VolumeBuilder()
                            .withName("data")
                            .withNewPersistentVolumeClaim()
                            .withClaimName(dataset.getVolume().getClaimName())
                            .withReadOnly(dataset.getVolume().isReadOnly())
                            .endPersistentVolumeClaim()
                            .build());
        }
        return volumes;
    }

    private static List<VolumeMount> mounts(SamTrainingJob job) {
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(mount("job", TrainerPaths.CONFIG_DIRECTORY, true));
        mounts.add(mount("token", TrainerPaths.TOKEN_DIRECTORY, true));
        mounts.add(mount("tmp", TrainerPaths.TMP, false));
        mounts.add(mount("checkpoints", TrainerPaths.checkpointMount(job), false));
        DatasetSpec dataset = job.getSpec().getDataset();
        if (dataset.getVolume() != null) {
            mounts.add(
                    mount("data", TrainerPaths.dataMount(job), dataset.getVolume().isReadOnly()));
        }
        return mounts;
    }

    private static VolumeMount mount(String volume, String path, boolean readOnly) {
        return new VolumeMountBuilder()
                .withName(volume)
                .withMountPath(path)
                .withReadOnly(readOnly)
                .build();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
