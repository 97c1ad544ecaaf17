package dev.sharpness.operator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@code target/quarkus-app/quarkus-run.jar}) run as its own process, with
 * the environment the chart's Deployment gives it, pointed at a mock API server. Its output goes to
 * a file; {@link #close()} kills it if it still runs.
 */
public final class OperatorProcess implements AutoCloseable {
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final String name;
    private final Path log;
    private final Process process;

    private OperatorProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts the packaged operator as the pod {@code podName}: leader election on, exit on lost
     * leadership on, the API server, trust and namespace from {@code apiServer} (as {@code
     * quarkus.kubernetes-client.*} properties), output into {@code logDir/<podName>.log}.
     */
    public static OperatorProcess start(
            Path jar,
            String podName,
            Map<String, String> apiServer,
            String watchNamespace,
            String trainerImage,
            Path logDir) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `./mvnw verify`, not `test`");
        }
        Map<String, String> env = new LinkedHashMap<>();
        // The chart's environment (charts/sam-operator/templates/deployment.yaml).
        env.put("SAM_OPERATOR_WATCH_NAMESPACES", watchNamespace);
        env.put("SAM_OPERATOR_DEFAULT_TRAINER_IMAGE", trainerImage);
        env.put("POD_NAMESPACE", "sam-system");
        env.put("QUARKUS_LOG_CATEGORY__DEV_SHARPNESS__LEVEL", "INFO");
        // What a pod gets from its kubelet: the leader election's identity.
        env.put("HOSTNAME", podName);
        // Production as shipped: the prod profile turns leader election on.
        env.put("QUARKUS_PROFILE", "prod");
        env.put("SAM_OPERATOR_EXIT_ON_LOST_LEADERSHIP", "true");
        apiServer.forEach((property, value) -> env.put(environmentName(property), value));
        // Only the API server above: no kubeconfig or service account of this machine.
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        // No QUARKUS_OPERATOR_SDK_ENABLE_SSA=false, as the test profile has: the setting is fixed
        // when the jar is built (at run time Quarkus only warns that it ignores it), so this
        // process patches with server-side apply, which the mock's CRUD mode accepts for what this
        // test does.
        // Several instances on one host: any free port.
        env.put("QUARKUS_HTTP_PORT", "0");

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A small, quickly started JVM: this host runs several at once.
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-jar");
        command.add(jar.toString());
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(podName + ".log");
            ProcessBuilder builder =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile());
            builder.environment().clear();
            builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin"));
            builder.environment().putAll(env);
            return new OperatorProcess(podName, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code quarkus.kubernetes-client.api-server-url} becomes {@code QUARKUS_KUBERNETES_...}. */
    private static String environmentName(String property) {
        return property.toUpperCase().replaceAll("[^A-Z0-9]", "_");
    }

    public String name() {
        return name;
    }

    /** Sends SIGTERM, as the kubelet does to stop a container. */
    public void terminate() {
        process.destroy();
    }

    /** The exit code, if the process ends within {@code timeout}. */
    public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue())
                : OptionalInt.empty();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the process wrote so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Kills the process (SIGKILL) if it still runs, and waits a bounded time for it to end. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
