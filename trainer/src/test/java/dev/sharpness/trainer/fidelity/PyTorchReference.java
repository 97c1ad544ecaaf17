package dev.sharpness.trainer.fidelity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/fidelity.py} run by a Python that has PyTorch: Debian's interpreter first ({@code
 * apt-get install python3-torch} puts torch there, and a pyenv or venv {@code python3} earlier on
 * the PATH usually lacks it), then whatever {@code python3} the PATH finds. Every process is
 * bounded in time and killed when it overruns.
 */
final class PyTorchReference {
    private static final List<String> INTERPRETERS = List.of("/usr/bin/python3", "python3");
    private static final long IMPORT_SECONDS = 60;

    /** What the script printed and how it ended. */
    record Outcome(int exitCode, String output) {}

    private final String python;

    private PyTorchReference(String python) {
        this.python = python;
    }

    /** The first interpreter that imports torch, or empty when none does. */
    static Optional<PyTorchReference> find(Path scratch) throws IOException, InterruptedException {
        for (String candidate : INTERPRETERS) {
            Outcome probe = run(List.of(candidate, "-c", "import torch"), scratch, IMPORT_SECONDS);
            if (probe.exitCode() == 0) {
                return Optional.of(new PyTorchReference(candidate));
            }
        }
        return Optional.empty();
    }

    /** Runs {@code script} with {@code arguments}, stdout and stderr together. */
    Outcome run(Path script, List<String> arguments, Path scratch, long timeoutSeconds)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(arguments);
        return run(command, scratch, timeoutSeconds);
    }

    private static Outcome run(List<String> command, Path scratch, long timeoutSeconds)
            throws IOException, InterruptedException {
        // A file rather than a pipe: a chatty process cannot block on a full pipe buffer.
        Path log = Files.createTempFile(scratch, "python", ".log");
        Process process;
        try {
            process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
        } catch (IOException notInstalled) {
            return new Outcome(-1, command.get(0) + ": " + notInstalled.getMessage());
        }
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new Outcome(
                        -1,
                        Files.readString(log, StandardCharsets.UTF_8)
                                + "\n(killed after "
                                + timeoutSeconds
                                + " s)");
            }
        } finally {
            // An interrupted test must not leave the process behind.
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
        return new Outcome(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
