package dev.sharpness.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.operator.testing.apiserver.StrictApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays the kubelet of one node for real: every trainer pod of the namespace runs as a {@code
 * sam-trainer worker} process of the packaged trainer, with the pod's arguments, environment and
 * volumes, and when the process ends its exit code and termination message go into the pod's
 * status, as a kubelet writes them. The pods share this host's loopback network.
 *
 * <p>A pod's file system is made of host folders: a ConfigMap or Secret volume is a folder of its
 * keys, an emptyDir a folder of the pod's own, a PersistentVolumeClaim one folder per claim that
 * outlives the pods, and the termination message path a file of the pod's own. Where the pod names
 * a path under one of its mounts, the host path replaces it: in the arguments, in environment
 * values, and in the string values of YAML files on ConfigMap volumes (the job manifest names its
 * checkpoint folder). Cluster DNS names ({@code *.svc}) resolve to 127.0.0.1. A port nothing else
 * reaches (the trainer's {@code --metrics-port}) becomes a free port of this host; the exchange
 * port is the job's, so each job of a test needs its own. A pod's servers listen on every interface
 * of its own network namespace; here, where the host's is shared, they listen on its loopback only
 * ({@code --listen-address}).
 *
 * <p>The mock API server deletes a pod at once; a real one keeps it, marked for deletion, until its
 * kubelet has stopped the container (SIGTERM, then SIGKILL after the grace period, here at most
 * {@link #GRACE}). A finalizer this kubelet holds on the pods it runs gives the mock server that
 * behaviour, so the operator sees an old pod linger while it stops, as on a cluster.
 */
public final class ProcessKubelet implements AutoCloseable {
    /** Keeps a deleted pod in the API until its process has ended. */
    public static final String FINALIZER = StrictApiServer.GRACEFUL_DELETION;

    /** The longest a stopping container gets between SIGTERM and SIGKILL here. */
    public static final Duration GRACE = Duration.ofSeconds(10);

    private static final String LOOPBACK = "127.0.0.1";
    private static final String DEFAULT_TERMINATION_LOG = "/dev/termination-log";
    private static final String METRICS_PORT_OPTION = "--metrics-port";

    /** The kubelet keeps at most this much of a termination message. */
    private static final int MESSAGE_LIMIT = 4096;

    private static final Duration TICK = Duration.ofMillis(100);
    private static final Pattern CLUSTER_ADDRESS =
            Pattern.compile("[a-z0-9.-]+\\.svc(\\.cluster\\.local)?(:\\d+)?");
    private static final YAMLMapper YAML = new YAMLMapper();

    private final KubernetesClient client;
    private final String namespace;
    private final Path trainerJar;
    private final Path root;
    private final List<String> jvmOptions;
    private final Map<String, Path> nodeFolders = new LinkedHashMap<>();
    private final List<RunningContainer> containers = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private SharedIndexInformer<Pod> pods;
    private final ScheduledExecutorService loop =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread thread = new Thread(r, "process-kubelet");
                        thread.setDaemon(true);
                        return thread;
                    });

    /**
     * @param root this node's disk: pod folders, claims and container logs go under it
     * @param jvmOptions options of every trainer JVM, ahead of {@code -jar}
     */
    public ProcessKubelet(
            KubernetesClient client,
            String namespace,
            Path trainerJar,
            Path root,
            List<String> jvmOptions) {
        this.client = client;
        this.namespace = namespace;
        this.trainerJar = trainerJar;
        this.root = root;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * The packaged trainer named by the system property {@code sam.trainer.jar} (the operator's
     * build sets it); fails, never skips, when it is not there.
     */
    public static Path trainerJar() {
        String configured =
                System.getProperty("sam.trainer.jar", "../trainer/target/sam-trainer.jar");
        Path jar = Path.of(configured).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar) || !Files.isDirectory(jar.resolveSibling("lib"))) {
            throw new AssertionError(
                    "the end-to-end test runs the packaged trainer, but "
                            + jar
                            + " (and lib/ beside it) is missing. Build it through the reactor: "
                            + "./mvnw -B -pl operator -am verify (or, for the jar alone, "
                            + "./mvnw -B -pl trainer -am package -DskipTests)");
        }
        return jar;
    }

    /**
     * Mounts {@code hostFolder} at {@code podPath} in every pod, over whatever the pod mounts
     * there: a node-wide cache, like the image layers every pod of a node shares.
     */
    public ProcessKubelet withNodeFolder(String podPath, Path hostFolder) {
        nodeFolders.put(podPath, hostFolder);
        return this;
    }

    public ProcessKubelet start() {
        pods =
                client.pods()
                        .inNamespace(namespace)
                        .withLabel(Constants.LABEL_MANAGED_BY, Constants.MANAGED_BY)
                        .inform();
        loop.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The host folder of a PersistentVolumeClaim. */
    public Path claim(String claimName) {
        return root.resolve("claims").resolve(claimName);
    }

    /**
     * SIGKILL to the running container of pod {@code podName}, as the kernel's OOM killer or a
     * crash would end it; false when none runs.
     */
    public boolean kill(String podName) {
        for (RunningContainer container : containers) {
            if (container.pod.equals(podName) && container.process.isAlive()) {
                container.process.destroyForcibly();
                return true;
            }
        }
        return false;
    }

    /** How many containers of pod {@code podName} (all its incarnations) this kubelet started. */
    public int started(String podName) {
        return (int) containers.stream().filter(c -> c.pod.equals(podName)).count();
    }

    /** The output of every container of pod {@code podName}, oldest first. */
    public String log(String podName) {
        StringBuilder all = new StringBuilder();
        for (RunningContainer container : containers) {
            if (container.pod.equals(podName)) {
                all.append(read(container.log));
            }
        }
        return all.toString();
    }

    /** What went wrong in the kubelet itself, if anything: a test should find this empty. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** The last {@code lines} lines of every container's output, for a failed test's report. */
    public String tails(int lines) {
        StringBuilder report = new StringBuilder();
        for (RunningContainer container : containers) {
            List<String> all = read(container.log).lines().toList();
            report.append("---- ")
                    .append(container.log)
                    .append(
                            container.process.isAlive()
                                    ? " (running)"
                                    : " (exited " + container.process.exitValue() + ")")
                    .append(" ----\n");
            all.subList(Math.max(0, all.size() - lines), all.size())
                    .forEach(line -> report.append(line).append('\n'));
        }
        problems.forEach(p -> report.append("kubelet: ").append(p).append('\n'));
        return report.toString();
    }

    /** Stops the loop and every container still running (SIGTERM, SIGKILL after a few seconds). */
    @Override
    public void close() {
        loop.shutdownNow();
        if (pods != null) {
            pods.close();
        }
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
            containers.forEach(c -> c.process.destroy());
            for (RunningContainer container : containers) {
                if (!container.process.waitFor(5, TimeUnit.SECONDS)) {
                    container.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            containers.forEach(c -> c.process.destroyForcibly());
        }
    }

    // ---- the sync loop: one thread, so every pod write happens here ----

    private void tick() {
        try {
            Set<String> present = new HashSet<>();
            for (Pod pod : pods.getStore().list()) {
                present.add(pod.getMetadata().getUid());
                try {
                    sync(pod);
                } catch (RuntimeException e) {
                    problem(pod.getMetadata().getName() + ": " + e);
                }
            }
            // A pod deleted before this kubelet held it: nothing keeps it, stop its container.
            for (RunningContainer container : containers) {
                if (!present.contains(container.uid) && container.process.isAlive()) {
                    container.process.destroyForcibly();
                }
            }
        } catch (RuntimeException e) {
            problem(e.toString());
        }
    }

    private void sync(Pod pod) {
        RunningContainer container = find(pod.getMetadata().getUid());
        boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
        if (container == null) {
            if (deleting) {
                release(pod);
            } else if (!stillStopping(pod.getMetadata().getName())) {
                run(pod);
            }
            return;
        }
        if (deleting) {
            stop(container);
        }
        if (!container.process.isAlive()) {
            if (!container.reported) {
                report(pod, container);
                container.reported = true;
            }
            if (deleting) {
                release(pod);
            }
        }
    }

    /** Starts the pod's container; its status says Running once the process is there. */
    private void run(Pod pod) {
        String name = pod.getMetadata().getName();
        String uid = pod.getMetadata().getUid();
        Pod held =
                client.pods()
                        .inNamespace(namespace)
                        .withName(name)
                        .edit(
                                p -> {
                                    if (!p.getMetadata().getFinalizers().contains(FINALIZER)) {
                                        p.getMetadata().getFinalizers().add(FINALIZER);
                                    }
                                    return p;
                                });
        if (!uid.equals(held.getMetadata().getUid())) {
            throw new IllegalStateException("pod " + name + " was replaced while starting");
        }
        Container spec = pod.getSpec().getContainers().get(0);
        if (spec.getCommand() != null && !spec.getCommand().isEmpty()) {
            throw new UnsupportedOperationException(
                    "only the image's entrypoint (the trainer) runs here, not "
                            + spec.getCommand());
        }
        // pod-0.1, pod-0.2, ...: every incarnation of a pod name has its own folders and log.
        String incarnation = name + "." + (started(name) + 1);
        Path podFolder = root.resolve("pods").resolve(incarnation);
        FileSystemView view = mount(pod, spec, podFolder);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(trainerJar.toString());
        command.addAll(arguments(spec.getArgs(), view));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().retainAll(Set.of("PATH", "LANG"));
        // What the trainer image sets (trainer/pom.xml's container), then the pod's variables.
        String tmp = view.mounted("/tmp") ? view.host("/tmp") : podFolder.toString();
        env.put("HOME", tmp);
        env.put("DJL_CACHE_DIR", tmp + "/djl.ai");
        for (EnvVar variable : spec.getEnv()) {
            if (variable.getValueFrom() != null) {
                env.put(variable.getName(), downward(variable, pod));
                continue;
            }
            env.put(variable.getName(), resolve(view.host(variable.getValue())));
        }
        Path log = root.resolve("logs").resolve(incarnation + ".log");
        builder.directory(Path.of(tmp).toFile()).redirectErrorStream(true);
        Process process;
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, String.join(" ", command) + "\n\n");
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RunningContainer container =
                new RunningContainer(
                        name, uid, process, log, Path.of(view.host(terminationMessagePath(spec))));
        process.onExit().thenRun(() -> container.finishedAt = Instant.now());
        containers.add(container);
        client.pods()
                .inNamespace(namespace)
                .withName(name)
                .editStatus(
                        p -> {
                            p.setStatus(PodStates.running(LOOPBACK));
                            return p;
                        });
    }

    /** The pod's mounts as host folders, with the files of its ConfigMaps and Secrets in them. */
    private FileSystemView mount(Pod pod, Container spec, Path podFolder) {
        Map<String, Path> volumes = new LinkedHashMap<>();
        for (Volume volume : pod.getSpec().getVolumes()) {
            Path folder;
            if (volume.getPersistentVolumeClaim() != null) {
                folder = claim(volume.getPersistentVolumeClaim().getClaimName());
            } else if (volume.getConfigMap() != null
                    || volume.getSecret() != null
                    || volume.getEmptyDir() != null) {
                folder = podFolder.resolve("volumes").resolve(volume.getName());
            } else {
                throw new UnsupportedOperationException("volume " + volume);
            }
            volumes.put(volume.getName(), folder);
        }
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount mount : spec.getVolumeMounts()) {
            Path folder = volumes.get(mount.getName());
            if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
                folder = folder.resolve(mount.getSubPath());
            }
            mounts.put(mount.getMountPath(), folder);
        }
        mounts.put(terminationMessagePath(spec), podFolder.resolve("termination-log"));
        mounts.putAll(nodeFolders);
        FileSystemView view = new FileSystemView(mounts);
        try {
            // Left over from a start that failed half-way: begin again.
            deleteRecursively(podFolder);
            for (Path folder : mounts.values()) {
                if (!folder.getFileName().toString().equals("termination-log")) {
                    Files.createDirectories(folder);
                }
            }
            for (Volume volume : pod.getSpec().getVolumes()) {
                Path folder = volumes.get(volume.getName());
                if (volume.getConfigMap() != null) {
                    ConfigMap configMap =
                            client.configMaps()
                                    .inNamespace(namespace)
                                    .withName(volume.getConfigMap().getName())
                                    .require();
                    for (var entry : configMap.getData().entrySet()) {
                        Files.writeString(
                                folder.resolve(entry.getKey()), view.rewriteYaml(entry.getValue()));
                    }
                } else if (volume.getSecret() != null) {
                    Secret secret =
                            client.secrets()
                                    .inNamespace(namespace)
                                    .withName(volume.getSecret().getSecretName())
                                    .require();
                    for (var entry : secret.getData().entrySet()) {
                        Path file = folder.resolve(entry.getKey());
                        Files.write(file, Base64.getDecoder().decode(entry.getValue()));
                        Files.setPosixFilePermissions(
                                file, PosixFilePermissions.fromString("r--------"));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return view;
    }

    /**
     * The pod's arguments on this host: paths mapped, the metrics port moved to a free one, and the
     * worker's servers kept on loopback.
     */
    private static List<String> arguments(List<String> args, FileSystemView view) {
        List<String> mapped = new ArrayList<>();
        for (Iterator<String> it = args.iterator(); it.hasNext(); ) {
            String arg = it.next();
            if (arg.equals(METRICS_PORT_OPTION) && it.hasNext()) {
                it.next();
                mapped.add(arg);
                mapped.add(Integer.toString(freePort()));
            } else if (arg.startsWith(METRICS_PORT_OPTION + "=")) {
                mapped.add(METRICS_PORT_OPTION + "=" + freePort());
            } else if (arg.startsWith("--") && arg.contains("=")) {
                int equals = arg.indexOf('=');
                mapped.add(arg.substring(0, equals + 1) + view.host(arg.substring(equals + 1)));
            } else {
                mapped.add(view.host(arg));
            }
        }
        if (!mapped.isEmpty() && mapped.get(0).equals("worker")) {
            mapped.add("--listen-address=" + LOOPBACK);
        }
        return mapped;
    }

    /** Cluster DNS on one host: every Service address is this host's loopback. */
    private static String resolve(String value) {
        Matcher address = CLUSTER_ADDRESS.matcher(value);
        if (!address.matches()) {
            return value;
        }
        return LOOPBACK + (address.group(2) == null ? "" : address.group(2));
    }

    /**
     * A variable from the downward API, as the kubelet resolves it; only a container's {@code
     * requests.cpu}, which is all the operator asks for: the request, else the limit (which the API
     * server copies into a missing request; the mock server does not), else 0, rounded up to a
     * whole number of divisors.
     */
    private static String downward(EnvVar variable, Pod pod) {
        ResourceFieldSelector field = variable.getValueFrom().getResourceFieldRef();
        if (field == null || !field.getResource().equals("requests.cpu")) {
            throw new UnsupportedOperationException(
                    "env " + variable.getName() + " from " + variable.getValueFrom());
        }
        Container container =
                pod.getSpec().getContainers().stream()
                        .filter(
                                c ->
                                        field.getContainerName() == null
                                                || c.getName().equals(field.getContainerName()))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "env "
                                                        + variable.getName()
                                                        + ": no container "
                                                        + field.getContainerName()));
        ResourceRequirements resources =
                container.getResources() != null
                        ? container.getResources()
                        : new ResourceRequirements();
        Quantity request = cpu(resources.getRequests());
        Quantity value = request != null ? request : cpu(resources.getLimits());
        BigDecimal cores = value == null ? BigDecimal.ZERO : value.getNumericalAmount();
        BigDecimal divisor =
                field.getDivisor() == null
                        ? BigDecimal.ONE
                        : field.getDivisor().getNumericalAmount();
        return cores.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
    }

    private static Quantity cpu(Map<String, Quantity> resources) {
        return resources == null ? null : resources.get("cpu");
    }

    private static String terminationMessagePath(Container spec) {
        return spec.getTerminationMessagePath() != null
                ? spec.getTerminationMessagePath()
                : DEFAULT_TERMINATION_LOG;
    }

    private void stop(RunningContainer container) {
        if (!container.process.isAlive()) {
            return;
        }
        Instant now = Instant.now();
        if (container.stopAsked == null) {
            container.stopAsked = now;
            container.process.destroy();
        } else if (now.isAfter(container.stopAsked.plus(GRACE))) {
            container.process.destroyForcibly();
        }
    }

    /** The container's end in the pod status: exit code, termination message, finish time. */
    private void report(Pod pod, RunningContainer container) {
        int exitCode = container.process.exitValue();
        String message = "";
        if (Files.isRegularFile(container.terminationLog)) {
            message = read(container.terminationLog);
            if (message.length() > MESSAGE_LIMIT) {
                message = message.substring(0, MESSAGE_LIMIT);
            }
        }
        // As Kubernetes stores it: whole seconds.
        Instant finishedAt =
                (container.finishedAt != null ? container.finishedAt : Instant.now())
                        .truncatedTo(ChronoUnit.SECONDS);
        String text = message;
        try {
            client.pods()
                    .inNamespace(namespace)
                    .withName(pod.getMetadata().getName())
                    .editStatus(
                            p -> {
                                p.setStatus(PodStates.terminated(exitCode, text, finishedAt));
                                return p;
                            });
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    /** Lets the API server finish deleting the pod: its container has stopped. */
    private void release(Pod pod) {
        if (!pod.getMetadata().getFinalizers().contains(FINALIZER)) {
            return;
        }
        try {
            client.pods()
                    .inNamespace(namespace)
                    .withName(pod.getMetadata().getName())
                    .edit(
                            p -> {
                                p.getMetadata().getFinalizers().remove(FINALIZER);
                                return p;
                            });
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    /** Whether an older pod of this name still has a running container (it holds its ports). */
    private boolean stillStopping(String podName) {
        return containers.stream().anyMatch(c -> c.pod.equals(podName) && c.process.isAlive());
    }

    private RunningContainer find(String uid) {
        return containers.stream().filter(c -> c.uid.equals(uid)).findFirst().orElse(null);
    }

    private void problem(String what) {
        if (problems.size() < 100) {
            problems.add(Instant.now() + " " + what);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (var paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One incarnation of a pod's trainer container. */
    private static final class RunningContainer {
        final String pod;
        final String uid;
        final Process process;
        final Path log;
        final Path terminationLog;
        volatile Instant finishedAt;
        Instant stopAsked;
        boolean reported;

        RunningContainer(String pod, String uid, Process process, Path log, Path terminationLog) {
            this.pod = pod;
            this.uid = uid;
            this.process = process;
            this.log = log;
            this.terminationLog = terminationLog;
        }
    }

    /** A pod's mount points and the host folders behind them; the longest mount path wins. */
    private static final class FileSystemView {
        private final List<Map.Entry<String, Path>> mounts;

        FileSystemView(Map<String, Path> mounts) {
            List<Map.Entry<String, Path>> sorted = new ArrayList<>(mounts.entrySet());
            sorted.sort(
                    Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length())
                            .reversed());
            this.mounts = Collections.unmodifiableList(sorted);
        }

        boolean mounted(String path) {
            return mounts.stream().anyMatch(m -> m.getKey().equals(path));
        }

        /** The host path of {@code value} when it is a path under a mount, else value itself. */
        String host(String value) {
            if (value == null) {
                return null;
            }
            for (Map.Entry<String, Path> mount : mounts) {
                String point = mount.getKey();
                if (value.equals(point)) {
                    return mount.getValue().toString();
                }
                if (value.startsWith(point + "/")) {
                    return mount.getValue().resolve(value.substring(point.length() + 1)).toString();
                }
            }
            return value;
        }

        /** A YAML document with its path values mapped; other text stays as it is. */
        String rewriteYaml(String text) {
            JsonNode document;
            try {
                document = YAML.readTree(text);
            } catch (IOException e) {
                return text;
            }
            if (document == null || !document.isContainerNode()) {
                return text;
            }
            try {
                return YAML.writeValueAsString(rewrite(document));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private JsonNode rewrite(JsonNode node) {
            if (node.isTextual()) {
                return TextNode.valueOf(host(node.asText()));
            }
            if (node instanceof ObjectNode object) {
                object.fields()
                        .forEachRemaining(e -> object.set(e.getKey(), rewrite(e.getValue())));
            } else if (node instanceof ArrayNode array) {
                for (int i = 0; i < array.size(); i++) {
                    array.set(i, rewrite(array.get(i)));
                }
            }
            return node;
        }
    }
}
