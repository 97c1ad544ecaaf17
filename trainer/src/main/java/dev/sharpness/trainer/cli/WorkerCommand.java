package dev.sharpness.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.CommunicationSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.trainer.exchange.Identity;
import dev.sharpness.trainer.exchange.PairExchange;
import dev.sharpness.trainer.exchange.ProgressServer;
import dev.sharpness.trainer.exchange.WirePrecision;
import dev.sharpness.trainer.metrics.WorkerMetrics;
import dev.sharpness.trainer.report.ConsoleProgress;
import dev.sharpness.trainer.report.RunOutputs;
import dev.sharpness.trainer.training.PairRole;
import dev.sharpness.trainer.training.ProgressListener;
import dev.sharpness.trainer.training.ProgressSnapshot;
import dev.sharpness.trainer.training.RunSummary;
import dev.sharpness.trainer.training.StopRequest;
import dev.sharpness.trainer.training.StoppedException;
import dev.sharpness.trainer.training.TrainingRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sam-trainer worker}: what a pod runs (the README's `sam-trainer worker`). Env {@code
 * SAM_RANK}, {@code SAM_PEER} (host:port of rank 0, for rank 1), {@code SAM_ATTEMPT}, {@code
 * SAM_TOKEN_FILE}, and the manifest at /etc/sam/job.yaml. A SAMPa job runs as two workers: rank 0
 * serves the exchange (and {@code GetProgress}) on {@code spec.communication.port} and writes the
 * run's state and outputs, rank 1 connects to it. Every other method runs as one worker, rank 0
 * with no peer, serving only {@code GetProgress} on that port. Each worker serves {@code /metrics}
 * on {@code --metrics-port}, writes its summary to the termination-message file, and on SIGTERM
 * stops at the next step boundary, rank 0 with a checkpoint, and exits 143.
 */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description =
                "Run one worker of a job (a rank of a SAMPa pair, or the single worker of the other"
                        + " methods), configured by the pod contract's environment.")
final class WorkerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

    /** How long SIGTERM waits for the step in progress and the checkpoint after it. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    @Option(names = "--manifest", paramLabel = "FILE", defaultValue = "/etc/sam/job.yaml")
    Path manifest;

    @Option(
            names = "--termination-log",
            paramLabel = "FILE",
            defaultValue = "/dev/termination-log",
            description =
                    "Where the final summary goes for Kubernetes (default: ${DEFAULT-VALUE}).")
    Path terminationLog;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            defaultValue = "9090",
            description =
                    "Port of the Prometheus /metrics endpoint; 0 turns it off (default: 9090).")
    int metricsPort;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description =
                    "Port rank 0 serves the exchange and GetProgress on (default:"
                            + " spec.communication.port). An option, not a --set, because the spec"
                            + " is hashed into every checkpoint and a local run picks a free port"
                            + " each time.")
    Integer port;

    /** The option `run` starts its workers with; see {@link #stopWithInput}. */
    static final String STOP_WITH_INPUT = "--stop-with-input";

    /**
     * For the workers of a local `run`: standard input is a pipe from `run`, which the kernel
     * closes however `run` ends, SIGKILL included. Its end stops this worker as SIGTERM does (a
     * checkpoint at the next step boundary, exit 143), so no worker outlives its launcher. A pipe
     * rather than polling the parent's PID: it needs no polling interval, cannot be fooled by a
     * reused PID, and tells at once. The worker also holds its folder's lock until it ends, so a
     * new run waits for it. Off by default: a pod's standard input is empty from the start.
     */
    @Option(names = STOP_WITH_INPUT, hidden = true)
    boolean stopWithInput;

    /** The environment; a field so tests can run a worker without changing the process's. */
    Map<String, String> environment = System.getenv();

    @Mixin RunOptions options = new RunOptions();

    @Override
    public Integer call() throws IOException {
        EngineSetup.configure(options.threads);
        int exchangeStreams = options.exchangeStreams();
        SamTrainingJob job = ManifestLoader.load(manifest, options.overrides);
        boolean sampa = job.getSpec().getOptimizer().getMethod() == OptimizerSpec.Method.SAMPA;
        int rank = rank(sampa);
        String peer = sampa && rank == 1 ? required("SAM_PEER") : null;
        if (!sampa && environment.get("SAM_PEER") != null) {
            LOG.info("SAM_PEER is set but {} runs as one worker: ignored", methodOf(job));
        }
        int attempt = Integer.parseInt(environment.getOrDefault("SAM_ATTEMPT", "0"));
        byte[] token =
                Files.readString(Path.of(required("SAM_TOKEN_FILE")))
                        .strip()
                        .getBytes(StandardCharsets.US_ASCII);
        String name = job.getMetadata().getName();
        Path runDirectory = options.runDirectory(name);
        Files.createDirectories(runDirectory);

        StopRequest stop = new StopRequest();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopGracefully(stop), "sigterm"));
        RunFolder folder = null;
        if (stopWithInput) {
            folder = RunFolder.hold(runDirectory, RunFolder.WORKER_LOCK);
            watchInput();
        }
        ProgressSnapshot snapshot = new ProgressSnapshot(job.getSpec().getTraining().getEpochs());
        List<ProgressListener> listeners = new ArrayList<>(List.of(snapshot));
        if (rank == 0) {
            listeners.add(ConsoleProgress.forStandardOutput(name));
        }
        try (WorkerMetrics metrics =
                        metricsPort == 0 ? null : WorkerMetrics.serve(metricsPort, rank);
                ProgressServer progressServer =
                        sampa
                                ? null
                                : ProgressServer.start(servingPort(job), token, snapshot::get)) {
            if (metrics != null) {
                listeners.add(metrics);
            }
            TrainingRun run =
                    new TrainingRun(
                                    job,
                                    manifest.toAbsolutePath().getParent(),
                                    runDirectory,
                                    options.resume,
                                    ProgressListener.all(listeners))
                            .stoppable(stop);
            if (sampa) {
                run.asPair(
                        pairRole(
                                job,
                                servingPort(job),
                                rank,
                                peer,
                                attempt,
                                token,
                                snapshot,
                                exchangeStreams));
            }
            RunSummary summary = run.execute();
            if (rank == 0) {
                RunOutputs.write(runDirectory, summary);
            } else {
                Files.writeString(
                        runDirectory.resolve(RunOutputs.SUMMARY),
                        new ObjectMapper().writeValueAsString(summary));
            }
            writeTerminationMessage(summary);
            return ExitCodes.OK;
        } catch (StoppedException e) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("stopped", true);
            message.put("step", e.step());
            if (e.checkpoint() != null) {
                message.put("checkpoint", e.checkpoint().toString());
            }
            writeTerminationMessage(message);
            return ExitCodes.TERMINATED;
        } catch (RuntimeException e) {
            RuntimeException failure =
                    e instanceof IllegalArgumentException
                            ? new InvalidJobException(e.getMessage(), e)
                            : e;
            writeTerminationMessage(
                    Map.of(
                            "exitCode",
                            ExitCodes.codeFor(failure),
                            "error",
                            String.valueOf(failure.getMessage())));
            throw failure;
        } finally {
            stop.ended();
            if (folder != null) {
                folder.close();
            }
        }
    }

    /** Exits 143 through the SIGTERM path (the shutdown hook) once standard input ends. */
    private static void watchInput() {
        Thread watcher =
                new Thread(
                        () -> {
                            try {
                                while (System.in.read() >= 0) {
                                    // `run` sends nothing; only the end matters.
                                }
                            } catch (IOException e) {
                                // A broken pipe is an end too.
                            }
                            LOG.warn("the launching `run` is gone: stopping as on SIGTERM");
                            System.exit(ExitCodes.TERMINATED);
                        },
                        "launcher-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private int servingPort(SamTrainingJob job) {
        return port != null ? port : job.getSpec().getCommunication().getPort();
    }

    /** SAM_RANK: 0 or 1 for SAMPa, 0 for a single worker. */
    private int rank(boolean sampa) {
        String value = required("SAM_RANK");
        int rank;
        try {
            rank = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidJobException("SAM_RANK must be 0 or 1, not '" + value + "'", e);
        }
        if (rank != 0 && (rank != 1 || !sampa)) {
            throw new InvalidJobException(
                    "SAM_RANK="
                            + rank
                            + ": "
                            + (sampa
                                    ? "a SAMPa pair has ranks 0 and 1"
                                    : "only SAMPa runs as a pair; this method runs as rank 0"),
                    null);
        }
        return rank;
    }

    /** How this rank forms the pair: rank 0 serves, rank 1 connects to SAM_PEER. */
    private static PairRole pairRole(
            SamTrainingJob job,
            int port,
            int rank,
            String peer,
            int attempt,
            byte[] token,
            ProgressSnapshot snapshot,
            int exchangeStreams) {
        CommunicationSpec communication = job.getSpec().getCommunication();
        Duration timeout = Duration.ofSeconds(communication.getExchangeTimeoutSeconds());
        WirePrecision precision =
                communication.getPrecision() == CommunicationSpec.Precision.BF16
                        ? WirePrecision.BF16
                        : WirePrecision.FP32;
        String name = job.getMetadata().getName();
        String uid = job.getMetadata().getUid() != null ? job.getMetadata().getUid() : name;
        String specHash = TrainingRun.specHash(job.getSpec());
        return new PairRole(
                rank,
                (layout, resumeState) -> {
                    Identity identity = new Identity(uid, attempt, specHash, layout);
                    if (rank == 0) {
                        return PairExchange.serve(
                                port,
                                token,
                                identity,
                                () -> resumeState,
                                snapshot::get,
                                precision,
                                timeout,
                                exchangeStreams);
                    }
                    int colon = peer.lastIndexOf(':');
                    if (colon < 0) {
                        throw new InvalidJobException(
                                "SAM_PEER must be host:port, not '" + peer + "'", null);
                    }
                    return PairExchange.connect(
                            peer.substring(0, colon),
                            Integer.parseInt(peer.substring(colon + 1)),
                            token,
                            identity,
                            precision,
                            timeout,
                            exchangeStreams);
                },
                communication.getChecksumEverySteps());
    }

    /**
     * The SIGTERM shutdown hook: asks the loop to stop after the step in progress and waits,
     * bounded, for it to write its checkpoint; the JVM then exits 143. On a normal exit the run has
     * already ended and this returns at once.
     */
    private static void stopGracefully(StopRequest stop) {
        stop.request();
        try {
            if (!stop.awaitEnd(STOP_GRACE)) {
                LOG.warn(
                        "the run did not stop within {} s: exiting anyway", STOP_GRACE.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String methodOf(SamTrainingJob job) {
        return new ObjectMapper()
                .convertValue(job.getSpec().getOptimizer().getMethod(), String.class);
    }

    private String required(String variable) {
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            throw new InvalidJobException("environment variable " + variable + " is not set", null);
        }
        return value;
    }

    /** Kubernetes keeps this file's text in the pod status, so the result survives the pod. */
    private void writeTerminationMessage(Object message) {
        try {
            Files.writeString(terminationLog, new ObjectMapper().writeValueAsString(message));
        } catch (IOException e) {
            LOG.warn(
                    "cannot write the termination message to {}: {}",
                    terminationLog,
                    e.getMessage());
        }
    }
}
