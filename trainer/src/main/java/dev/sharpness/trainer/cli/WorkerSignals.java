package dev.sharpness.trainer.cli;

import dev.sharpness.api.worker.ExitCode;
import dev.sharpness.trainer.training.StopRequest;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a worker stops: on SIGTERM, and when the `run` that launched it is gone. */
final class WorkerSignals {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerSignals.class);

    /** How long SIGTERM waits for the step in progress and the checkpoint after it. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private WorkerSignals() {}

    /** Exits 143 through the SIGTERM path (the shutdown hook) once standard input ends. */
    static void watchInput() {
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
                            System.exit(ExitCode.TERMINATED.code());
                        },
                        "launcher-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * The SIGTERM shutdown hook: asks the loop to stop after the step in progress and waits,
     * bounded, for it to write its checkpoint; the JVM then exits 143. On a normal exit the run has
     * already ended and this returns at once.
     */
    static void stopGracefully(StopRequest stop) {
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
}
