package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.exchange.v1.ProgressRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Worker processes started as pods start them (PairLauncher.worker: env contract, token file), and
 * the clients the operator and Prometheus use on them.
 */
public final class Workers {
    static final String TOKEN = "0123456789abcdef";

    /** A SAMPa job of 12 steps over an epoch boundary that a pair trains in seconds. */
    static final String PAIR_JOB =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: pair-job}
            spec:
              model: {architecture: cnn}
              dataset:
                format: synthetic
                validationFraction: 0.25
                synthetic: {trainSamples: 256, testSamples: 64, classes: 4, imageSize: 8}
              optimizer:
                method: SAMPa
                rho: 0.05
                sampa: {lambda: 0.2}
                base: {learningRate: 0.05}
              training: {epochs: 2, batchSize: 32, seed: 7}
              communication: {exchangeTimeoutSeconds: 60, checksumEverySteps: 4}
            """;

    private final Path dir;
    private final Path manifest;
    private final Path token;

    /** Writes {@code job} and the token into {@code dir}. */
    Workers(Path dir, String job) throws IOException {
        this.dir = dir;
        this.manifest = dir.resolve("job.yaml");
        this.token = dir.resolve("token");
        Files.writeString(manifest, job);
        Files.writeString(token, TOKEN);
    }

    Path manifest() {
        return manifest;
    }

    /**
     * A worker of rank {@code rank} whose rank 0 serves on {@code port}, writing to {@code dir/out}
     * and logging to {@code dir/<log>.log}.
     */
    ProcessBuilder worker(int rank, int port, String out, String log, String... sets) {
        return worker(rank, port, out, log, token, sets);
    }

    ProcessBuilder worker(int rank, int port, String out, String log, Path token, String... sets) {
        return PairLauncher.worker(
                        rank,
                        manifest,
                        dir.resolve(out),
                        1,
                        port,
                        token,
                        new ArrayList<>(List.of(sets)))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(log + ".log").toFile());
    }

    /** {@code builder} with {@code --resume}, as the operator always starts workers. */
    static ProcessBuilder resuming(ProcessBuilder builder) {
        builder.command().add("--resume");
        return builder;
    }

    /** {@code builder} serving /metrics on {@code port}. */
    static ProcessBuilder withMetrics(ProcessBuilder builder, int port) {
        List<String> command = builder.command();
        command.set(command.indexOf(PairLauncher.NO_METRICS), "--metrics-port=" + port);
        return builder;
    }

    /** A single worker: rank 0 and no SAM_PEER. */
    static ProcessBuilder alone(ProcessBuilder builder) {
        builder.environment().remove("SAM_PEER");
        return builder;
    }

    String log(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }

    static int exitCode(Process process) throws InterruptedException {
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the worker ends").isTrue();
        return process.exitValue();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** GetProgress as the operator calls it, with {@code token}. */
    static Progress progress(int port, String token) {
        ManagedChannel channel =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(
                    Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                    "Bearer " + token);
            return PairExchangeGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getProgress(ProgressRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }
    }

    /** The text Prometheus scrapes from {@code /metrics}. */
    public static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + port + "/metrics"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of the unlabelled sample {@code name} in a scrape; NaN when absent. */
    static double sample(String scrape, String name) {
        return scrape.lines()
                .filter(line -> line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1).strip()))
                .findFirst()
                .orElse(Double.NaN);
    }

    /** Polls {@code condition} every 20 ms until it holds; fails after {@code limit}. */
    static void await(String what, Duration limit, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
