package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.sharpness.trainer.checkpoint.CheckpointStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `sam-trainer run` as a process, as a user runs it: its workers stop with it however it is stopped
 * (SIGTERM, SIGINT, SIGKILL), it reports where it stopped, one run holds a run folder at a time,
 * and a pair's failure is reported by its root cause.
 */
class RunProcessTest {
    /** A SAMPa pair far longer than any test waits for: 6 steps an epoch, a checkpoint every 2. */
    private static final String LONG_PAIR =
            Workers.PAIR_JOB
                    .replace("epochs: 2", "epochs: 2000")
                    .replace(
                            "checksumEverySteps: 4}",
                            "checksumEverySteps: 4}\n  checkpoint: {everySteps: 2, keep: 3}");

    /** A single-process SAM job as long. */
    private static final String LONG_SINGLE =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: single-job}
            spec:
              model: {architecture: mlp}
              dataset:
                format: synthetic
                synthetic: {trainSamples: 256, testSamples: 32, classes: 3, imageSize: 6}
              optimizer: {method: SAM, base: {learningRate: 0.05}}
              training: {epochs: 10000, batchSize: 32}
              checkpoint: {everySteps: 2, keep: 3}
            """;

    @TempDir Path dir;
    private final List<ProcessHandle> started = new ArrayList<>();

    /** Whatever a test leaves running (a failed assertion, old code) is killed here. */
    @AfterEach
    void killLeftovers() {
        for (ProcessHandle process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Test
    @Timeout(120)
    void sigtermToAPairRunStopsBothWorkersAtACheckpointAndReleasesTheFolder() throws Exception {
        Path out = dir.resolve("out");
        Process run = launch(LONG_PAIR, out);
        awaitCheckpoint(out);
        List<ProcessHandle> workers = workersOf(run);

        run.destroy(); // SIGTERM

        assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("run ends").isTrue();
        String log = log();
        assertThat(run.exitValue()).as(log).isEqualTo(143);
        assertThat(log).containsPattern("stopped after step \\d+");
        long step = stepOf(log);
        assertThat(log).contains(String.format("step-%012d.ckpt", step));
        assertThat(newest(out)).isEqualTo(step);
        awaitGone(workers);
        assertThat(lockIsFree(out)).isTrue();
    }

    @Test
    @Timeout(120)
    void sigkillOfAPairRunStopsItsWorkersByThemselves() throws Exception {
        Path out = dir.resolve("out");
        Process run = launch(LONG_PAIR, out);
        awaitCheckpoint(out);
        List<ProcessHandle> workers = workersOf(run);

        run.destroyForcibly(); // SIGKILL: nothing of the launcher runs any more

        assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
        awaitGone(workers);
        assertThat(lockIsFree(out)).isTrue();
        assertThat(out.resolve("summary.json"))
                .as("the pair did not train on to the end")
                .doesNotExist();
        long stoppedAt = newest(out);
        Thread.sleep(1000);
        assertThat(newest(out)).as("no checkpoint after the workers ended").isEqualTo(stoppedAt);
    }

    @Test
    @Timeout(120)
    void sigintToASingleProcessRunCheckpointsReportsAndExits130() throws Exception {
        assumeFalse(
                sigintIgnored(),
                "this test's process ignores SIGINT (it was started in the background of a"
                        + " script), and so does every process it starts: none can receive it");
        Path out = dir.resolve("out");
        Process run = launch(LONG_SINGLE, out);
        awaitCheckpoint(out);

        new ProcessBuilder("kill", "-INT", Long.toString(run.pid())).start().waitFor();

        assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("run ends").isTrue();
        String log = log();
        assertThat(run.exitValue()).as(log).isEqualTo(130);
        long step = stepOf(log);
        assertThat(log).contains(String.format("step-%012d.ckpt", step));
        assertThat(newest(out)).isEqualTo(step);
    }

    @Test
    @Timeout(120)
    void aSecondRunOnAFolderInUseIsRefusedNamingTheFolderAndTheHolder() throws Exception {
        Path out = dir.resolve("out");
        Process run = launch(LONG_SINGLE, out);
        awaitCheckpoint(out);

        StringWriter err = new StringWriter();
        int code =
                SamTrainer.execute(
                        new PrintWriter(err, true),
                        "run",
                        dir.resolve("job.yaml").toString(),
                        "--out=" + out,
                        "--resume",
                        "--threads=1",
                        "--set=spec.training.maxSteps=1");

        assertThat(code).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains(out.toString()).contains("PID " + run.pid());
        assertThat(run.isAlive()).as("the first run goes on").isTrue();
    }

    /**
     * Rank 0 cannot write its next checkpoint (the folder became a file, as a full disk would fail
     * it) and exits 1; rank 1 loses its peer and exits 3 as a consequence. The run reports rank 0's
     * failure.
     */
    @Test
    @Timeout(120)
    void whenRankZeroFailsTheRunReportsItsExitCodeNotRankOnesLostPeer() throws Exception {
        Path out = dir.resolve("out");
        Process run = launch(LONG_PAIR, out);
        awaitCheckpoint(out);
        Path checkpoints = out.resolve("checkpoints");
        Files.move(checkpoints, out.resolve("checkpoints-moved"));
        Files.writeString(checkpoints, "not a folder");

        assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("run ends").isTrue();
        String log = log();
        assertThat(run.exitValue()).as(log).isEqualTo(1);
        assertThat(log).contains("rank 0 failed (exit 1)").contains("cannot write checkpoint");
    }

    /**
     * Whether this process ignores SIGINT, as a command started with {@code &} in a script does; a
     * process inherits that, and the JVM then installs no handler for it.
     */
    private static boolean sigintIgnored() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                long ignored =
                        Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                return (ignored & (1L << (2 - 1))) != 0; // SIGINT is signal 2
            }
        }
        return false;
    }

    private Process launch(String job, Path out) throws IOException {
        Path manifest = dir.resolve("job.yaml");
        Files.writeString(manifest, job);
        Process process =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                SamTrainer.class.getName(),
                                "run",
                                manifest.toString(),
                                "--out=" + out,
                                "--threads=1")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("run.log").toFile())
                        .start();
        started.add(process.toHandle());
        return process;
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("run.log"));
    }

    private List<ProcessHandle> workersOf(Process run) {
        List<ProcessHandle> workers = run.descendants().toList();
        assertThat(workers).as("the pair's worker processes").hasSizeGreaterThanOrEqualTo(2);
        started.addAll(workers); // once orphaned, they are no longer the run's descendants
        return workers;
    }

    private static void awaitGone(List<ProcessHandle> workers) throws InterruptedException {
        Workers.await(
                "every worker to end",
                Duration.ofSeconds(45),
                () -> workers.stream().noneMatch(ProcessHandle::isAlive));
    }

    private static void awaitCheckpoint(Path out) throws InterruptedException {
        Workers.await("a first checkpoint", Duration.ofSeconds(60), () -> newest(out) > 0);
    }

    private static long newest(Path out) {
        List<Path> files = new CheckpointStore(out.resolve("checkpoints"), 3).list();
        if (files.isEmpty()) {
            return 0;
        }
        String name = files.get(files.size() - 1).getFileName().toString();
        return Long.parseLong(name.substring("step-".length(), name.indexOf('.')));
    }

    private static long stepOf(String log) {
        java.util.regex.Matcher matcher =
                java.util.regex.Pattern.compile("stopped after step (\\d+)").matcher(log);
        assertThat(matcher.find()).as(log).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    /** Whether another process could take the run folder's lock now. */
    private static boolean lockIsFree(Path out) throws IOException {
        Path file = out.resolve("run.lock");
        if (!Files.exists(file)) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            return lock != null;
        }
    }
}
