package dev.sharpness.trainer.cli;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.CommunicationSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.worker.ExitCode;
import dev.sharpness.api.worker.TerminationMessage;
import dev.sharpness.api.worker.WorkerEnv;
import dev.sharpness.api.worker.WorkerFiles;
import dev.sharpness.trainer.exchange.Identity;
import dev.sharpness.trainer.exchange.PairExchange;
import dev.sharpness.trainer.exchange.ProgressServer;
import dev.sharpness.trainer.exchange.WirePrecision;
import dev.sharpness.trainer.report.RunOutputs;
import dev.sharpness.trainer.training.MethodWrapper;
import dev.sharpness.trainer.training.PairRole;
import dev.sharpness.trainer.training.RunSummary;
import dev.sharpness.trainer.training.StopRequest;
import dev.sharpness.trainer.training.StoppedException;
import dev.sharpness.trainer.training.TrainingRun;
import dev.sharpness.trainer.training.listener.ConsoleProgress;
import dev.sharpness.trainer.training.listener.ProgressListener;
import dev.sharpness.trainer.training.listener.ProgressSnapshot;
import dev.sharpness.trainer.training.listener.WorkerMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sam-trainer worker}: what a pod runs (the README's `sam-trainer worker`), configured by
 * the worker contract's environment ({@link WorkerEnv}) and manifest ({@link WorkerFiles}). A SAMPa
 * job runs as two workers: rank 0 serves the exchange (and {@code GetProgress}) on {@code
 * spec.communication.port} and writes the run's state and outputs, rank 1 connects to it. Every
 * other method runs as one worker, rank 0 with no peer, serving only {@code GetProgress} on that
 * port. Each worker serves {@code /metrics} on {@code --metrics-port}, writes its {@link
 * TerminationMessage} to the termination log, and on SIGTERM stops at the next step boundary, rank
 * 0 with a checkpoint, and exits 143.
 */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description =
                "Run one worker of a job (a rank of a SAMPa pair, or the single worker of the other"
                        + " methods), configured by the pod contract's environment.")
final class WorkerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

    @Option(names = "--manifest", paramLabel = "FILE", defaultValue = WorkerFiles.MANIFEST)
    Path manifest;

    @Option(
            names = "--termination-log",
            paramLabel = "FILE",
            defaultValue = WorkerFiles.TERMINATION_LOG,
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

    @Option(
            names = "--listen-address",
            paramLabel = "ADDRESS",
            description =
                    "Address the exchange, GetProgress and /metrics listen on (default: every"
                            + " interface, as a pod needs; run starts its workers on 127.0.0.1).")
    String listenAddress;

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

    /** Wraps the training method; a field so tests can run a real worker with a fault injected. */
    MethodWrapper methodWrapper = MethodWrapper.NONE;

    @Mixin RunOptions options = new RunOptions();

    @Override
    public Integer call() throws IOException {
        int available = Runtime.getRuntime().availableProcessors();
        String requested = environment.get(WorkerEnv.CPU_CORES);
        int cores = PodCores.usable(requested, available);
        EngineSetup.configure(options.threads, cores);
        SamTrainingJob job = ManifestLoader.load(manifest, options.overrides);
        Contract pod = contract(job);
        Exchanging exchanging =
                new Exchanging(
                        options.exchangeStreams(
                                cores, job.getSpec().getCommunication().getStreams()),
                        options.overlapBackward(Engine.getInstance().defaultDevice().isGpu()));
        LOG.info(
                "Using {} of the {} cores the JVM may use ({}={}); PyTorch threads: {}{}",
                cores,
                available,
                WorkerEnv.CPU_CORES,
                requested == null ? "unset" : requested,
                EngineSetup.intraOpThreads(),
                pod.sampa()
                        ? "; exchange streams offered: "
                                + exchanging.streams()
                                + "; swap overlaps the backward pass: "
                                + (exchanging.overlapBackward() ? "yes" : "no")
                        : "");
        boolean sampa = pod.sampa();
        int rank = pod.rank();
        String name = job.getMetadata().getName();
        Path runDirectory = options.runDirectory(name);
        Files.createDirectories(runDirectory);

        StopRequest stop = new StopRequest();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> WorkerSignals.stopGracefully(stop), "sigterm"));
        RunFolder folder = null;
        if (stopWithInput) {
            folder = RunFolder.hold(runDirectory, RunFolder.WORKER_LOCK);
            WorkerSignals.watchInput();
        }
        ProgressSnapshot snapshot = new ProgressSnapshot(job.getSpec().getTraining().getEpochs());
        List<ProgressListener> listeners = listeners(snapshot, rank, name);
        try (WorkerMetrics metrics =
                        metricsPort == 0 ? null : WorkerMetrics.serve(listen(metricsPort), rank);
                ProgressServer progressServer =
                        sampa
                                ? null
                                : ProgressServer.start(
                                        listen(servingPort(job)), pod.token(), snapshot::get)) {
            if (metrics != null) {
                listeners.add(metrics);
            }
            TrainingRun run =
                    trainingRun(
                            job,
                            runDirectory,
                            ProgressListener.all(listeners),
                            stop,
                            pod,
                            snapshot,
                            exchanging);
            RunSummary summary = run.execute();
            writeOutputs(rank, runDirectory, summary, job);
            writeTerminationMessage(finished(summary));
            return ExitCode.OK.code();
        } catch (StoppedException e) {
            writeTerminationMessage(
                    new TerminationMessage.Stopped(
                            e.step(), e.checkpoint() == null ? null : e.checkpoint().toString()));
            return ExitCode.TERMINATED.code();
        } catch (RuntimeException e) {
            throw failed(e);
        } finally {
            stop.ended();
            if (folder != null) {
                folder.close();
            }
        }
    }

    /** The snapshot GetProgress answers from, and rank 0's console progress. */
    private static List<ProgressListener> listeners(
            ProgressSnapshot snapshot, int rank, String name) {
        List<ProgressListener> listeners = new ArrayList<>(List.of(snapshot));
        if (rank == 0) {
            listeners.add(ConsoleProgress.forStandardOutput(name));
        }
        return listeners;
    }

    /** The run this worker trains: alone, or as its rank of a SAMPa pair. */
    private TrainingRun trainingRun(
            SamTrainingJob job,
            Path runDirectory,
            ProgressListener listener,
            StopRequest stop,
            Contract pod,
            ProgressSnapshot snapshot,
            Exchanging exchanging) {
        TrainingRun run =
                new TrainingRun(
                                job,
                                manifest.toAbsolutePath().getParent(),
                                runDirectory,
                                options.resuming(),
                                listener)
                        // Rank 1 continues from the state rank 0 hands over, not from a file.
                        .resumingFrom(pod.rank() == 0 ? options.resumeFromFile() : null)
                        .stoppable(stop)
                        .wrappingMethod(methodWrapper);
        if (pod.sampa()) {
            run.asPair(
                    pairRole(
                            job,
                            listen(servingPort(job)),
                            pod.rank(),
                            pod.peer(),
                            pod.attempt(),
                            pod.token(),
                            snapshot,
                            exchanging));
        }
        return run;
    }

    /**
     * How a SAMPa rank exchanges: the streams it offers, and whether its swaps overlap its backward
     * passes.
     */
    private record Exchanging(int streams, boolean overlapBackward) {}

    /** What the pod's environment ({@link WorkerEnv}) says this worker is. */
    private record Contract(boolean sampa, int rank, String peer, int attempt, byte[] token) {}

    private Contract contract(SamTrainingJob job) throws IOException {
        boolean sampa = job.getSpec().getOptimizer().getMethod() == OptimizerSpec.Method.SAMPA;
        int rank = rank(sampa);
        String peer = sampa && rank == 1 ? required(WorkerEnv.PEER) : null;
        if (!sampa && environment.get(WorkerEnv.PEER) != null) {
            LOG.info("{} is set but {} runs as one worker: ignored", WorkerEnv.PEER, methodOf(job));
        }
        int attempt = Integer.parseInt(environment.getOrDefault(WorkerEnv.ATTEMPT, "0"));
        byte[] token =
                Files.readString(Path.of(required(WorkerEnv.TOKEN_FILE)))
                        .strip()
                        .getBytes(StandardCharsets.US_ASCII);
        return new Contract(sampa, rank, peer, attempt, token);
    }

    /** Rank 0 writes the run's outputs; rank 1 only its summary, in its own folder. */
    private static void writeOutputs(
            int rank, Path runDirectory, RunSummary summary, SamTrainingJob job)
            throws IOException {
        if (rank == 0) {
            RunOutputs.write(runDirectory, summary, job.getSpec());
        } else {
            Files.writeString(
                    runDirectory.resolve(RunOutputs.SUMMARY),
                    new ObjectMapper().writeValueAsString(summary));
        }
    }

    /**
     * Says why in the termination message; the failure to rethrow (its exit code decides: a spec
     * error is an {@link InvalidJobException} where it is found, anything unexpected exits 1).
     */
    private RuntimeException failed(RuntimeException e) {
        writeTerminationMessage(
                new TerminationMessage.Failed(
                        ExitCodes.codeFor(e), String.valueOf(e.getMessage())));
        return e;
    }

    private int servingPort(SamTrainingJob job) {
        return port != null ? port : job.getSpec().getCommunication().getPort();
    }

    /**
     * Where a server of this worker listens: {@code port} on {@code --listen-address}, or on every
     * interface without one.
     *
     * @throws InvalidJobException if the address does not resolve
     */
    private InetSocketAddress listen(int port) {
        if (listenAddress == null) {
            return new InetSocketAddress(port);
        }
        InetSocketAddress listen = new InetSocketAddress(listenAddress, port);
        if (listen.isUnresolved()) {
            throw new InvalidJobException(
                    "--listen-address: expected an address of this machine, got '"
                            + listenAddress
                            + "', which does not resolve",
                    null);
        }
        return listen;
    }

    /** The rank: 0 or 1 for SAMPa, 0 for a single worker. */
    private int rank(boolean sampa) {
        String value = required(WorkerEnv.RANK);
        int rank;
        try {
            rank = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidJobException(
                    WorkerEnv.RANK + " must be 0 or 1, not '" + value + "'", e);
        }
        if (rank != 0 && (rank != 1 || !sampa)) {
            throw new InvalidJobException(
                    WorkerEnv.RANK
                            + "="
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
            InetSocketAddress listen,
            int rank,
            String peer,
            int attempt,
            byte[] token,
            ProgressSnapshot snapshot,
            Exchanging exchanging) {
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
                    PairExchange.tooLarge(layout.elementCount(), precision)
                            .ifPresent(
                                    why -> {
                                        throw new InvalidJobException("spec.model: " + why, null);
                                    });
                    Identity identity = new Identity(uid, attempt, specHash, layout);
                    if (rank == 0) {
                        return PairExchange.serve(
                                listen,
                                token,
                                identity,
                                () -> resumeState,
                                snapshot::get,
                                precision,
                                timeout,
                                exchanging.streams());
                    }
                    int colon = peer.lastIndexOf(':');
                    if (colon < 0) {
                        throw new InvalidJobException(
                                WorkerEnv.PEER + " must be host:port, not '" + peer + "'", null);
                    }
                    return PairExchange.connect(
                            peer.substring(0, colon),
                            Integer.parseInt(peer.substring(colon + 1)),
                            token,
                            identity,
                            precision,
                            timeout,
                            exchanging.streams());
                },
                communication.getChecksumEverySteps(),
                exchanging.overlapBackward());
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

    /** What the termination message says of a finished run: its result, from its summary. */
    static TerminationMessage.Finished finished(RunSummary summary) {
        return new TerminationMessage.Finished(
                summary.job(),
                summary.method(),
                summary.workers(),
                summary.epochs(),
                summary.steps(),
                summary.trainLoss(),
                summary.trainAccuracy(),
                summary.validationAccuracy(),
                summary.testAccuracy(),
                summary.bestValidationAccuracy(),
                summary.bestEpoch(),
                summary.wallSeconds(),
                summary.parameterChecksum());
    }

    /** Kubernetes keeps this file's text in the pod status, so the result survives the pod. */
    private void writeTerminationMessage(TerminationMessage message) {
        try {
            Files.writeString(terminationLog, message.toJson());
        } catch (IOException e) {
            LOG.warn(
                    "cannot write the termination message to {}: {}",
                    terminationLog,
                    e.getMessage());
        }
    }
}
