package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `sam-trainer run` of a SAMPa job starts two worker processes that swap gradients over gRPC on
 * loopback: they end with exactly the parameters of the one-process emulation (ALGORITHMS.md
 * property 8), across epoch boundaries.
 */
class PairRunTest {
    @TempDir Path dir;

    private JsonNode run(String... extra) throws IOException {
        return runIn(List.of(extra).contains("--serial") ? "serial" : "pair", "1", extra);
    }

    /**
     * {@code run} of the pair job into the folder {@code name} with {@code --threads=threads} (none
     * when null), its summary.
     */
    private JsonNode runIn(String name, String threads, String... extra) throws IOException {
        Path manifest = dir.resolve("job.yaml");
        Files.writeString(manifest, Workers.PAIR_JOB);
        Path out = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("run", manifest.toString(), "--out=" + out));
        if (threads != null) {
            args.add("--threads=" + threads);
        }
        args.addAll(List.of(extra));
        StringWriter err = new StringWriter();
        int code = SamTrainer.execute(new PrintWriter(err, true), args.toArray(String[]::new));
        assertThat(code).as(err.toString()).isZero();
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    @Test
    @Timeout(120)
    void aWorkerWhosePeerNeverComesExitsThreeWithinTheTimeout() throws Exception {
        long start = System.nanoTime();
        Process alone =
                worker(0, freePort(), "alone", "spec.communication.exchangeTimeoutSeconds=3");
        assertThat(alone.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(alone.exitValue()).as(log("alone")).isEqualTo(3);
        // Engine start-up plus the 3 s exchange timeout: never a hang.
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(60);
    }

    @Test
    @Timeout(120)
    void rankOneWaitingForRankZeroSaysSoInOneLineAndGivesUpWithExitThree() throws Exception {
        Process alone =
                worker(1, freePort(), "waiting", "spec.communication.exchangeTimeoutSeconds=3");
        assertThat(alone.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(alone.exitValue()).as(log("waiting")).isEqualTo(3);
        assertThat(log("waiting"))
                .contains("Waiting for rank 0 at 127.0.0.1:")
                .contains("UNAVAILABLE")
                .contains("Connection refused")
                .contains("did not answer within 3")
                .doesNotContain("\tat ")
                .doesNotContain("Caused by");
    }

    @Test
    @Timeout(120)
    void ranksOfDifferentSpecsRefuseToPairAndExitTwo() throws Exception {
        int port = freePort();
        Process rank0 = worker(0, port, "rank0");
        Process rank1 = worker(1, port, "rank1", "spec.optimizer.base.learningRate=0.01");
        assertThat(rank1.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(rank0.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(rank1.exitValue()).as(log("rank1")).isEqualTo(2);
        assertThat(rank0.exitValue()).as(log("rank0")).isEqualTo(2);
        assertThat(log("rank1")).contains("spec hash differs");
    }

    /** Starts one rank as a pod would, with the env contract and a shared token file. */
    private Process worker(int rank, int port, String name, String... overrides)
            throws IOException {
        Path manifest = dir.resolve("job.yaml");
        Files.writeString(manifest, Workers.PAIR_JOB);
        Path token = dir.resolve("token");
        Files.writeString(token, "0123456789abcdef");
        List<String> sets =
                new ArrayList<>(List.of("spec.communication.exchangeTimeoutSeconds=20"));
        sets.addAll(List.of(overrides));
        return PairLauncher.worker(rank, manifest, dir.resolve(name), 1, port, token, sets)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    /** A run that returns its summary. */
    private interface Run {
        JsonNode run() throws IOException;
    }

    /**
     * {@code run}'s summary, with what it prints on {@code System.out} captured into {@code out}.
     */
    private static JsonNode printingTo(ByteArrayOutputStream out, Run run) throws IOException {
        PrintStream stdout = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            return run.run();
        } finally {
            System.setOut(stdout);
        }
    }

    private String log(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    @Timeout(300)
    void pairOverGrpcEndsWithTheSerialEmulationsParameters() throws IOException {
        // No --threads: by default the serial emulation takes one worker's share of the cores.
        // Rank 0's progress reaches run's own System.out (here not a terminal), not the
        // descriptor underneath it.
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        JsonNode pair = printingTo(captured, () -> runIn("pair", (String) null));
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("pair-job: epoch 2 step 12");
        JsonNode serial = runIn("serial", null, "--serial");
        assertThat(pair.get("workers").asInt()).isEqualTo(2);
        assertThat(pair.get("steps").asInt()).isEqualTo(12);
        assertThat(pair.get("parameterChecksum").asText())
                .isEqualTo(serial.get("parameterChecksum").asText());
        assertThat(pair.get("exchange").get("swaps").asLong()).isEqualTo(12);
        assertThat(pair.get("exchange").get("bytesSentEarly").asLong()).isZero();
        Path rankOne = dir.resolve("pair").resolve("rank-1");
        // Each rank keeps its own BatchNorm statistics: the whole models differ, the parameters
        // do not.
        JsonNode rankOneSummary =
                new ObjectMapper().readTree(rankOne.resolve("summary.json").toFile());
        assertThat(rankOneSummary.get("trainableChecksum").asText())
                .isEqualTo(pair.get("trainableChecksum").asText());
        assertThat(rankOneSummary.get("parameterChecksum").asText())
                .isNotEqualTo(pair.get("parameterChecksum").asText());
        // Where each rank's steps went, phase by phase; a single process has no phases.
        for (JsonNode summary : List.of(pair, rankOneSummary)) {
            JsonNode phases = summary.get("stepPhaseMillis");
            assertThat(phases.fieldNames())
                    .toIterable()
                    .containsExactly("gradient", "flatten", "swap", "unflatten", "update");
            phases.forEach(millis -> assertThat(millis.asDouble()).isNotNegative());
            assertThat(phases.get("gradient").asDouble()).isPositive();
        }
        assertThat(serial.get("stepPhaseMillis").isNull()).isTrue();
        // Twelve swaps are too few to judge the pair's pace by (aPairOfAHundredStepsTellsItsPace).
        assertThat(pair.get("swapPace").isNull()).isTrue();
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("warning:");
        assertThat(serial.get("swapPace").isNull()).isTrue();

        // Over three exchange streams, each carrying a third of every gradient on its own
        // connection: the same parameters, and an ending that no stream's close cuts short. Asked
        // for in the spec, as a pod's workers are (--exchange-streams would win over it).
        JsonNode streams = runIn("streams", null, "--set=spec.communication.streams=3");
        assertThat(streams.get("parameterChecksum").asText())
                .isEqualTo(serial.get("parameterChecksum").asText());
        assertThat(streams.get("exchange").get("swaps").asLong()).isEqualTo(12);
        assertThat(Files.readString(dir.resolve("streams").resolve("rank-1").resolve("worker.log")))
                .contains("3 exchange streams");
        // On CPU cores a swap overlaps the backward pass only when asked to.
        assertThat(Files.readString(rankOne.resolve("worker.log")))
                .contains("swap overlaps the backward pass: no");
        assertThat(rankOne.resolve("termination-message.json")).exists();
        assertThat(dir.resolve("pair").resolve("checkpoints")).isNotEmptyDirectory();
        assertThat(rankOne.resolve("checkpoints")).doesNotExist();
    }

    @Test
    @Timeout(300)
    void aPairSendingTheTopLayersGradientDuringTheBackwardPassEndsAsTheSerialEmulation()
            throws IOException {
        // On 32x32 images the cnn's classifier holds 2 MiB of the gradient, two of the exchange's
        // chunks: each rank sends them as soon as its backward pass has made them final, and
        // computes the convolutions' gradient meanwhile.
        String images = "--set=spec.dataset.synthetic.imageSize=32";
        JsonNode serial = runIn("serial", null, images, "--serial");
        JsonNode overlapped = runIn("overlapped", null, images, "--overlap-backward=on");
        assertThat(overlapped.get("parameterChecksum").asText())
                .isEqualTo(serial.get("parameterChecksum").asText());
        assertThat(overlapped.get("exchange").get("swaps").asLong()).isEqualTo(12);
        // Some of it went while the passes still ran (how much depends on the threads' timing).
        long early = overlapped.get("exchange").get("bytesSentEarly").asLong();
        assertThat(early)
                .isPositive()
                .isLessThan(overlapped.get("exchange").get("bytesSent").asLong());
        assertThat(
                        Files.readString(
                                dir.resolve("overlapped").resolve("rank-1").resolve("worker.log")))
                .contains("swap overlaps the backward pass: yes");
        // Before sharpness starts each rank overlaps the swap of its half batch's gradient too.
        String late = "--set=spec.optimizer.sharpnessFrom.epoch=2";
        JsonNode lateOn = runIn("late-on", null, images, late, "--overlap-backward=on");
        JsonNode lateOff = runIn("late-off", null, images, late, "--overlap-backward=off");
        assertThat(lateOn.get("parameterChecksum").asText())
                .isEqualTo(lateOff.get("parameterChecksum").asText());
        // A bf16 wire rounds the gradient in two parts, the top one first: the same rounding.
        String bf16 = "--set=spec.communication.precision=bf16";
        JsonNode inParts = runIn("bf16-parts", "1", images, bf16, "--overlap-backward=on");
        JsonNode whole = runIn("bf16-whole", "1", images, bf16, "--overlap-backward=off");
        assertThat(inParts.get("trainableChecksum").asText())
                .isEqualTo(whole.get("trainableChecksum").asText());
    }

    @Test
    @Timeout(300)
    void aPairOfAHundredStepsTellsItsPace() throws IOException {
        // Rank 0 weighs its gradient pass against its swap's transfer once it has swapped a
        // hundred times, and warns on its console exactly when the swap outlasts the pass.
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        JsonNode pair =
                printingTo(
                        captured,
                        () ->
                                runIn(
                                        "paced",
                                        "1",
                                        "--set=spec.training.epochs=17",
                                        "--set=spec.training.maxSteps=100",
                                        "--set=spec.communication.checksumEverySteps=50"));
        assertThat(pair.get("steps").asInt()).isEqualTo(100);
        JsonNode pace = pair.get("swapPace");
        double pass = pace.get("gradientPassMillis").asDouble();
        double transfer = pace.get("swapTransferMillis").asDouble();
        // The medians of the same recent steps as the summary's own phases.
        assertThat(pass).isEqualTo(pair.get("stepPhaseMillis").get("gradient").asDouble());
        assertThat(transfer).isEqualTo(pair.get("exchange").get("p50TransferMillis").asDouble());
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(printed.contains("warning: the SAMPa pair's"))
                .as("pass %.3f ms, transfer %.3f ms", pass, transfer)
                .isEqualTo(transfer >= pass);
        // And run's closing table says it too.
        assertThat(printed)
                .containsPattern(
                        String.format(
                                Locale.ROOT,
                                "swap / gradient pass +%.1f / %.1f ms \\(medians\\)",
                                transfer,
                                pass));
        JsonNode rankOne =
                new ObjectMapper().readTree(dir.resolve("paced/rank-1/summary.json").toFile());
        assertThat(rankOne.get("swapPace").isNull()).isTrue();
    }

    @Test
    @Timeout(300)
    void aPairWithBf16OnTheWireStepsBothRanksAlongTheSameRoundedGradients() throws IOException {
        // Each rank must step with its own gradient as the wire rounded it, which is what the
        // peer received. The ranks compare their parameters every 4 steps, so a rank that kept
        // its exact gradient would end the run with a mismatch, not with exit 0. The serial
        // emulation rounds both gradients as the wire does, so it ends with the pair's parameters,
        // through 6 steps of data-parallel SGD (each rank's half of the batch rounded) and 6 of
        // SAMPa.
        String bf16Wire = "--set=spec.communication.precision=bf16";
        String late = "--set=spec.optimizer.sharpnessFrom.epoch=2";
        JsonNode bf16 = runIn("bf16", "1", bf16Wire, late);
        JsonNode serial = runIn("bf16-serial", "1", bf16Wire, late, "--serial");
        assertThat(serial.get("parameterChecksum").asText())
                .isEqualTo(bf16.get("parameterChecksum").asText());
        JsonNode fp32 = runIn("fp32", "1", late);
        JsonNode rankOne =
                new ObjectMapper().readTree(dir.resolve("bf16/rank-1/summary.json").toFile());
        assertThat(rankOne.get("trainableChecksum").asText())
                .isEqualTo(bf16.get("trainableChecksum").asText());
        assertThat(bf16.get("exchange").get("swaps").asLong()).isEqualTo(12);
        assertThat(bf16.get("trainableChecksum").asText())
                .isNotEqualTo(fp32.get("trainableChecksum").asText());
    }

    @Test
    @Timeout(300)
    void aPairSplittingItsBatchesUntilSharpnessStartsEndsWithTheSerialEmulationsParameters()
            throws IOException {
        // 6 steps of data-parallel SGD (each rank half of each batch), then 6 of SAMPa; the ranks
        // compare their parameters every 4 steps, so also in the first phase.
        String late = "--set=spec.optimizer.sharpnessFrom.epoch=2";
        JsonNode pair = run(late);
        JsonNode serial = run(late, "--serial");
        JsonNode plain = runIn("plain", "1", "--serial");
        assertThat(pair.get("parameterChecksum").asText())
                .isEqualTo(serial.get("parameterChecksum").asText())
                .isNotEqualTo(plain.get("parameterChecksum").asText());
        assertThat(pair.get("exchange").get("swaps").asLong()).isEqualTo(12);
        assertThat(pair.get("exchange").get("bytesSentEarly").asLong()).isZero();
        assertThat(pair.get("sequentialGradientComputations").asLong()).isEqualTo(12);
    }

    @Test
    @Timeout(300)
    void rankZerosEarlyStopEndsBothRanksAtTheSameStepWithExitZero() throws IOException {
        // minDelta 1: no evaluation after the first improves, so patience 1 ends the run after
        // epoch 2 (step 12). Rank 0's decision reaches rank 1 with step 13's swap: both end there.
        JsonNode pair =
                run(
                        "--set=spec.training.epochs=4",
                        "--set=spec.training.earlyStopping.patience=1",
                        "--set=spec.training.earlyStopping.minDelta=1.0");
        assertThat(pair.get("earlyStop").get("epoch").asInt()).isEqualTo(2);
        assertThat(pair.get("earlyStop").get("reason").asText())
                .startsWith("validationAccuracy did not improve");
        assertThat(pair.get("steps").asInt()).isEqualTo(13);
        assertThat(pair.get("exchange").get("swaps").asLong()).isEqualTo(13);
        Path rankOne = dir.resolve("pair").resolve("rank-1");
        JsonNode rankOneSummary =
                new ObjectMapper().readTree(rankOne.resolve("summary.json").toFile());
        assertThat(rankOneSummary.get("steps").asInt()).isEqualTo(13);
        assertThat(rankOneSummary.get("earlyStop").get("reason").asText())
                .isEqualTo("rank 0 ended the run early");
        assertThat(dir.resolve("pair").resolve("best-model")).isNotEmptyDirectory();
    }

    @Test
    @Timeout(300)
    void aPairResumedAtTheEvaluationThatEndsItEndsAsTheUninterruptedPair() throws IOException {
        String[] early = {
            "--set=spec.training.epochs=4",
            "--set=spec.training.earlyStopping.patience=1",
            "--set=spec.training.earlyStopping.minDelta=1.0"
        };
        JsonNode straight = runIn("straight", "1", early);
        // maxSteps ends the first session at step 12, the evaluation that decides the end: the
        // resumed pair must still take step 13, which carries the decision to rank 1.
        String[] first = java.util.Arrays.copyOf(early, early.length + 1);
        first[early.length] = "--set=spec.training.maxSteps=12";
        assertThat(runIn("resumed", "1", first).get("earlyStop").isNull()).isTrue();
        String[] resume = java.util.Arrays.copyOf(early, early.length + 1);
        resume[early.length] = "--resume";
        JsonNode resumed = runIn("resumed", "1", resume);
        assertThat(resumed.get("steps").asInt()).isEqualTo(straight.get("steps").asInt());
        assertThat(resumed.get("earlyStop")).isEqualTo(straight.get("earlyStop"));
        assertThat(resumed.get("parameterChecksum").asText())
                .isEqualTo(straight.get("parameterChecksum").asText());
        assertThat(resumed.get("bestEpoch")).isEqualTo(straight.get("bestEpoch"));
    }
}
