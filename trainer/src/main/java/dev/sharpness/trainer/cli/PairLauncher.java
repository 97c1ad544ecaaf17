package dev.sharpness.trainer.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

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

    private PairLauncher() {}

    /**
     * Starts both ranks, waits for both, and returns the first failure's exit code (or 0). With
     * {@code resume}, rank 0 continues from the newest checkpoint in the run folder and hands the
     * state to rank 1.
     */
    static int run(
            Path manifest,
            Path runDirectory,
            List<String> overrides,
            Integer threads,
            boolean resume)
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
        int perRank =
                threads != null
                        ? threads
                        : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        String uid = UUID.randomUUID().toString();
        try {
            Process rank0 =
                    start(0, manifest, runDirectory, overrides, perRank, port, uid, token, resume);
            Process rank1 =
                    start(
                            1,
                            manifest,
                            runDirectory.resolve("rank-1"),
                            overrides,
                            perRank,
                            port,
                            uid,
                            token,
                            resume);
            return waitForBoth(rank0, rank1);
        } finally {
            Files.deleteIfExists(token);
        }
    }

    private static Process start(
            int rank,
            Path manifest,
            Path out,
            List<String> overrides,
            int threads,
            int port,
            String uid,
            Path token,
            boolean resume)
            throws IOException {
        Files.createDirectories(out);
        List<String> sets = new ArrayList<>(List.of("metadata.uid=" + uid));
        sets.addAll(overrides);
        ProcessBuilder builder = worker(rank, manifest, out, threads, port, token, sets);
        if (resume) {
            builder.command().add("--resume");
        }
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
            builder.inheritIO();
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
                                "--termination-log=" + out.resolve("termination-message.json"),
                                "--port=" + port,
                                NO_METRICS));
        for (String override : overrides) {
            command.add("--set=" + override);
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("SAM_RANK", Integer.toString(rank));
        builder.environment().put("SAM_ATTEMPT", "0");
        builder.environment().put("SAM_PEER", "127.0.0.1:" + port);
        builder.environment().put("SAM_TOKEN_FILE", token.toString());
        return builder;
    }

    /** When one rank fails, the other cannot go on alone: stop it too. */
    private static int waitForBoth(Process rank0, Process rank1) throws InterruptedException {
        while (true) {
            for (Process p : List.of(rank0, rank1)) {
                if (p.waitFor(200, TimeUnit.MILLISECONDS) && p.exitValue() != 0) {
                    Process other = p == rank0 ? rank1 : rank0;
                    other.destroy();
                    other.waitFor(10, TimeUnit.SECONDS);
                    return p.exitValue();
                }
            }
            if (!rank0.isAlive() && !rank1.isAlive()) {
                return Math.max(rank0.exitValue(), rank1.exitValue());
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
