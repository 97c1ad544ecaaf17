package dev.sharpness.trainer.cli;

import dev.sharpness.api.worker.ExitCode;
import dev.sharpness.api.worker.MalformedTerminationMessageException;
import dev.sharpness.api.worker.TerminationMessage;
import dev.sharpness.api.worker.WorkerEnv;
import dev.sharpness.trainer.training.StopRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.ProcessBuilder.Redirect;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs a SAMPa job as the pods would: two {@code sam-trainer worker} processes on this machine,
 * talking over loopback with a fresh token, rank 0 printing progress and writing the run folder.
 */
final class PairLauncher {
    /** The option that turns a local worker's {@code /metrics} off. */
    static final String NO_METRICS = "--metrics-port=0";

    /**
     * Optional: the CPUs of each rank, as {@code taskset -c} lists separated by a space (e.g.
     * {@code "0 1"}: rank 0 on CPU 0, rank 1 on CPU 1). For benchmarks that give each rank its own
     * core; unset, the workers run wherever the scheduler puts them.
     */
    static final String RANK_CPUS = "SAM_RANK_CPUS";

    /** How long the other rank may take to end by itself once one has failed. */
    private static final Duration KNOCK_ON_GRACE = Duration.ofSeconds(5);

    /** After SIGTERM, how long a rank may take to checkpoint and stop before it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(22);

    /**
     * The file in a rank's folder its termination message goes to (a pod's /dev/termination-log).
     */
    static final String TERMINATION_MESSAGE = "termination-message.json";

    /** 128 + SIGINT: a worker stopped by Ctrl-C in the terminal it shares with `run`. */
    private static final int INTERRUPTED = 130;

    private PairLauncher() {}

    /**
     * Starts both ranks on {@code manifest} (the run folder's saved job.yaml), waits for both, and
     * returns the exit code of the failure that caused the others (or 0). Both get {@code passed}
     * ({@link RunOptions#workerArguments}): with a resume option there, rank 0 continues from the
     * newest or the named checkpoint and hands the state to rank 1. When {@code stop} is requested
     * (this process got SIGTERM or SIGINT) both ranks get SIGTERM, stop at one step with a
     * checkpoint, and this reports where. Each worker also stops by itself, as on SIGTERM, when
     * this process ends any other way (SIGKILL included).
     */
    static int run(
            Path manifest,
            Path runDirectory,
            Integer threads,
            List<String> passed,
            StopRequest stop,
            PrintWriter err)
            throws IOException, InterruptedException {
        Files.createDirectories(runDirectory);
        Path token =
                Files.createTempFile(
                        "sam-exchange-token",
                        "",
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")));
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Files.writeString(token, HexFormat.of().formatHex(secret));
        int port = freePort();
        int perRank = threads != null ? threads : threadsPerRank();
        String uid = UUID.randomUUID().toString();
        List<Process> ranks = new ArrayList<>();
        try {
            ranks.add(start(0, manifest, runDirectory, perRank, port, uid, token, passed));
            OutputRelay rankZeroOutput = OutputRelay.of(ranks.get(0), "rank-0");
            ranks.add(
                    start(
                            1,
                            manifest,
                            runDirectory.resolve("rank-1"),
                            perRank,
                            port,
                            uid,
                            token,
                            passed));
            int[] codes = waitForBoth(ranks.get(0), ranks.get(1), stop);
            rankZeroOutput.awaitEnd(Duration.ofSeconds(5));
            return report(codes, List.of(runDirectory, runDirectory.resolve("rank-1")), stop, err);
        } finally {
            for (Process rank : ranks) {
                rank.destroyForcibly(); // only ever reached alive when this thread was interrupted
            }
            Files.deleteIfExists(token);
        }
    }

    private static Process start(
            int rank,
            Path manifest,
            Path out,
            int threads,
            int port,
            String uid,
            Path token,
            List<String> passed)
            throws IOException {
        Files.createDirectories(out);
        ProcessBuilder builder =
                worker(rank, manifest, out, threads, port, token, List.of("metadata.uid=" + uid));
        // Standard input stays a pipe from this process, which the kernel closes however this
        // process ends: the worker then stops as on SIGTERM (WorkerCommand.STOP_WITH_INPUT).
        builder.command().add(WorkerCommand.STOP_WITH_INPUT);
        builder.command().addAll(passed); // RunOptions.workerArguments
        String cpus = System.getenv(RANK_CPUS);
        if (cpus != null && !cpus.isBlank()) {
            String[] perRank = cpus.trim().split("\\s+");
            if (perRank.length != 2) {
                throw new IllegalArgumentException(
                        RANK_CPUS + " names one CPU list per rank, e.g. \"0 1\"; got: " + cpus);
            }
            builder.command().addAll(0, List.of("taskset", "-c", perRank[rank]));
        }
        if (rank == 0) {
            // In a terminal rank 0 shares it (its progress bar is live); anywhere else its output
            // goes through this process's streams (OutputRelay), wherever those were redirected.
            Redirect shared = System.console() != null ? Redirect.INHERIT : Redirect.PIPE;
            builder.redirectOutput(shared).redirectError(shared);
        } else {
            builder.redirectErrorStream(true).redirectOutput(out.resolve("worker.log").toFile());
        }
        return builder.start();
    }

    /**
     * A {@code sam-trainer worker} process of this installation as a pod runs it: the env contract,
     * the token file, rank 0 at 127.0.0.1:{@code port}, the termination message in {@code out}, no
     * {@code /metrics} (two local workers would both want its port; replace {@link #NO_METRICS} in
     * the command to have it).
     */
    static ProcessBuilder worker(
            int rank,
            Path manifest,
            Path out,
            int threads,
            int port,
            Path token,
            List<String> overrides) {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                SamTrainer.class.getName(),
                                "worker",
                                "--manifest=" + manifest.toAbsolutePath(),
                                "--out=" + out,
                                "--threads=" + threads,
                                "--termination-log=" + out.resolve(TERMINATION_MESSAGE),
                                "--port=" + port,
                                // A local pair talks over loopback: nothing else may reach it.
                                "--listen-address=127.0.0.1",
                                NO_METRICS));
        for (String override : overrides) {
            command.add("--set=" + override);
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put(WorkerEnv.RANK, Integer.toString(rank));
        builder.environment().put(WorkerEnv.ATTEMPT, "0");
        builder.environment().put(WorkerEnv.PEER, "127.0.0.1:" + port);
        builder.environment().put(WorkerEnv.TOKEN_FILE, token.toString());
        // Sized by --threads and this machine's cores, not by a pod's request left in the shell.
        builder.environment().remove(WorkerEnv.CPU_CORES);
        return builder;
    }

    /**
     * Waits until both ranks have ended; their exit codes. When one fails, the other cannot go on
     * alone, but it is given {@link #KNOCK_ON_GRACE} to end by itself first: its own exit code then
     * tells whether it failed on its own or only lost its peer. Whatever still runs after that, or
     * after a stop request, gets SIGTERM, and SIGKILL if it outlasts the stop grace.
     */
    static int[] waitForBoth(Process rank0, Process rank1, StopRequest stop)
            throws InterruptedException {
        List<Process> ranks = List.of(rank0, rank1);
        long failedAt = 0;
        long terminatedAt = 0;
        while (rank0.isAlive() || rank1.isAlive()) {
            long now = System.nanoTime();
            boolean failed = ranks.stream().anyMatch(p -> !p.isAlive() && p.exitValue() != 0);
            if (failed && failedAt == 0) {
                failedAt = now;
            }
            if (terminatedAt == 0
                    && (stop.requested()
                            || (failedAt != 0 && now - failedAt > KNOCK_ON_GRACE.toNanos()))) {
                ranks.forEach(Process::destroy);
                terminatedAt = now;
            }
            if (terminatedAt != 0 && now - terminatedAt > STOP_GRACE.toNanos()) {
                ranks.forEach(Process::destroyForcibly);
            }
            Thread.sleep(50);
        }
        return new int[] {rank0.exitValue(), rank1.exitValue()};
    }

    /**
     * The rank whose failure is the root cause: a rank that lost its peer (3) or was stopped (143,
     * 130) only followed the other's failure, so a rank with any other failure wins; between two of
     * a kind, rank 0, which owns the run. -1 when both succeeded.
     */
    static int rootCause(int[] codes, boolean stopRequested) {
        int best = -1;
        for (int rank = 0; rank < codes.length; rank++) {
            if (codes[rank] == ExitCodes.OK) {
                continue;
            }
            if (best < 0
                    || (knockOn(codes[best], stopRequested)
                            && !knockOn(codes[rank], stopRequested))) {
                best = rank;
            }
        }
        return best;
    }

    private static boolean knockOn(int code, boolean stopRequested) {
        return code == ExitCode.PEER_LOST.code()
                || (!stopRequested && (code == ExitCodes.TERMINATED || code == INTERRUPTED));
    }

    /** Says how the pair ended (where it stopped, or which rank failed first and why); the code. */
    private static int report(int[] codes, List<Path> outs, StopRequest stop, PrintWriter err) {
        int cause = rootCause(codes, stop.requested());
        if (cause < 0) {
            return ExitCodes.OK;
        }
        if (stop.requested()
                && terminationMessage(outs.get(0), err)
                        instanceof TerminationMessage.Stopped rank0) {
            err.println(
                    RunCommand.stopped(
                            rank0.step(),
                            rank0.checkpoint() != null ? Path.of(rank0.checkpoint()) : null));
            return ExitCodes.TERMINATED;
        }
        int other = 1 - cause;
        StringBuilder line =
                new StringBuilder(
                        "sam-trainer: rank " + cause + " failed (exit " + codes[cause] + ")");
        if (terminationMessage(outs.get(cause), err) instanceof TerminationMessage.Failed failed) {
            line.append(": ").append(failed.error());
        }
        if (codes[other] != ExitCodes.OK) {
            line.append("; rank ").append(other).append(" then exited ").append(codes[other]);
            if (knockOn(codes[other], stop.requested())) {
                line.append(
                        codes[other] == ExitCode.PEER_LOST.code()
                                ? " (it lost its peer)"
                                : " (stopped after its peer failed)");
            }
        }
        err.println(line);
        return codes[cause];
    }

    /** A worker's termination message; null when it wrote none or one that cannot be read. */
    private static TerminationMessage terminationMessage(Path out, PrintWriter err) {
        Path file = out.resolve(TERMINATION_MESSAGE);
        try {
            Optional<TerminationMessage> message =
                    TerminationMessage.parse(Files.exists(file) ? Files.readString(file) : null);
            return message.orElse(null);
        } catch (IOException | MalformedTerminationMessageException e) {
            err.println("sam-trainer: " + file + ": " + e.getMessage());
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Each rank's PyTorch threads when {@code --threads} is not given: half the cores. */
    static int threadsPerRank() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
