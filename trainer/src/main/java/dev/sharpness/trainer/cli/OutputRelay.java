package dev.sharpness.trainer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * Copies a child process's standard output and error into this process's {@link System#out} and
 * {@link System#err}, for when they are not a terminal the child could share: a pipe or a file, or
 * a test harness that captures them. Writing to the inherited descriptors directly would bypass
 * whatever this JVM's streams were redirected to. A child whose output was inherited has nothing to
 * copy, and its relay ends at once.
 */
final class OutputRelay {
    private final List<Thread> copiers;

    private OutputRelay(List<Thread> copiers) {
        this.copiers = copiers;
    }

    static OutputRelay of(Process process, String name) {
        List<Thread> copiers =
                List.of(
                        copier(process.getInputStream(), System.out, name + "-stdout"),
                        copier(process.getErrorStream(), System.err, name + "-stderr"));
        copiers.forEach(Thread::start);
        return new OutputRelay(copiers);
    }

    /** Waits, bounded, until everything the child wrote has been copied (it has exited). */
    void awaitEnd(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread copier : copiers) {
            copier.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }

    private static Thread copier(InputStream from, PrintStream to, String name) {
        Thread copier =
                new Thread(
                        () -> {
                            byte[] buffer = new byte[8192];
                            try (from) {
                                for (int n; (n = from.read(buffer)) >= 0; ) {
                                    to.write(buffer, 0, n);
                                    to.flush();
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        name);
        copier.setDaemon(true);
        return copier;
    }
}
