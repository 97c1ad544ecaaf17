package dev.sharpness.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.CommunicationSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.trainer.exchange.Identity;
import dev.sharpness.trainer.exchange.PairExchange;
import dev.sharpness.trainer.exchange.WirePrecision;
import dev.sharpness.trainer.report.ConsoleProgress;
import dev.sharpness.trainer.report.RunOutputs;
import dev.sharpness.trainer.training.PairRole;
import dev.sharpness.trainer.training.ProgressListener;
import dev.sharpness.trainer.training.ProgressSnapshot;
import dev.sharpness.trainer.training.RunSummary;
import dev.sharpness.trainer.training.TrainingRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sam-trainer worker}: one rank of a SAMPa pair, configured as a pod is (DESIGN.md's trainer
 * contract): env {@code SAM_RANK}, {@code SAM_PEER} (host:port of rank 0, for rank 1), {@code
 * SAM_ATTEMPT}, {@code SAM_TOKEN_FILE}, and the manifest at /etc/sam/job.yaml. Rank 0 serves the
 * exchange on {@code spec.communication.port} and writes the run's outputs; both write their
 * summary to the termination-message file.
 */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description = "Run one rank of a SAMPa pair, configured by the pod contract's environment.")
final class WorkerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

    @Option(names = "--manifest", paramLabel = "FILE", defaultValue = "/etc/sam/job.yaml")
    Path manifest;

    @Option(
            names = "--termination-log",
            paramLabel = "FILE",
            defaultValue = "/dev/termination-log",
            description =
                    "Where the final summary goes for Kubernetes (default: ${DEFAULT-VALUE}).")
    Path terminationLog;

    /** The environment; a field so tests can run a worker without changing the process's. */
    Map<String, String> environment = System.getenv();

    @Mixin RunOptions options = new RunOptions();

    @Override
    public Integer call() throws IOException {
        EngineSetup.configure(options.threads);
        SamTrainingJob job = ManifestLoader.load(manifest, options.overrides);
        int rank = Integer.parseInt(required("SAM_RANK"));
        int attempt = Integer.parseInt(environment.getOrDefault("SAM_ATTEMPT", "0"));
        byte[] token =
                Files.readString(Path.of(required("SAM_TOKEN_FILE")))
                        .strip()
                        .getBytes(StandardCharsets.US_ASCII);
        String name = job.getMetadata().getName();
        Path runDirectory = options.runDirectory(name);
        Files.createDirectories(runDirectory);

        CommunicationSpec communication = job.getSpec().getCommunication();
        Duration timeout = Duration.ofSeconds(communication.getExchangeTimeoutSeconds());
        WirePrecision precision =
                communication.getPrecision() == CommunicationSpec.Precision.BF16
                        ? WirePrecision.BF16
                        : WirePrecision.FP32;
        String uid = job.getMetadata().getUid() != null ? job.getMetadata().getUid() : name;
        String specHash = TrainingRun.specHash(job.getSpec());
        ProgressSnapshot snapshot = new ProgressSnapshot();
        PairRole role =
                new PairRole(
                        rank,
                        layout -> {
                            Identity identity = new Identity(uid, attempt, specHash, layout);
                            if (rank == 0) {
                                return PairExchange.serve(
                                        communication.getPort(),
                                        token,
                                        identity,
                                        () -> new byte[0],
                                        snapshot::get,
                                        precision,
                                        timeout);
                            }
                            String peer = required("SAM_PEER");
                            int colon = peer.lastIndexOf(':');
                            return PairExchange.connect(
                                    peer.substring(0, colon),
                                    Integer.parseInt(peer.substring(colon + 1)),
                                    token,
                                    identity,
                                    precision,
                                    timeout);
                        },
                        communication.getChecksumEverySteps());
        ProgressListener progress =
                rank == 0 ? both(ConsoleProgress.forStandardOutput(name), snapshot) : snapshot;
        RunSummary summary;
        try {
            summary =
                    new TrainingRun(
                                    job,
                                    manifest.toAbsolutePath().getParent(),
                                    runDirectory,
                                    options.resume,
                                    progress)
                            .asPair(role)
                            .execute();
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException(e.getMessage(), e);
        }
        if (rank == 0) {
            RunOutputs.write(runDirectory, summary);
        } else {
            Files.writeString(
                    runDirectory.resolve(RunOutputs.SUMMARY),
                    new ObjectMapper().writeValueAsString(summary));
        }
        writeTerminationMessage(summary);
        return ExitCodes.OK;
    }

    private String required(String variable) {
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            throw new InvalidJobException("environment variable " + variable + " is not set", null);
        }
        return value;
    }

    /** Kubernetes keeps this file's text in the pod status, so the result survives the pod. */
    private void writeTerminationMessage(RunSummary summary) {
        try {
            Files.writeString(terminationLog, new ObjectMapper().writeValueAsString(summary));
        } catch (IOException e) {
            LOG.warn(
                    "cannot write the termination message to {}: {}",
                    terminationLog,
                    e.getMessage());
        }
    }

    private static ProgressListener both(ProgressListener a, ProgressListener b) {
        return new ProgressListener() {
            @Override
            public void started(long totalSteps, long startStep) {
                a.started(totalSteps, startStep);
                b.started(totalSteps, startStep);
            }

            @Override
            public void stepped(long step, int epoch, double loss, double accuracy, double lr) {
                a.stepped(step, epoch, loss, accuracy, lr);
                b.stepped(step, epoch, loss, accuracy, lr);
            }

            @Override
            public void epochEnded(dev.sharpness.trainer.training.EpochMetrics metrics) {
                a.epochEnded(metrics);
                b.epochEnded(metrics);
            }

            @Override
            public void finished() {
                a.finished();
                b.finished();
            }
        };
    }
}
