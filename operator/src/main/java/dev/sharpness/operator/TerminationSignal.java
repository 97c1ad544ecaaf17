package dev.sharpness.operator;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import sun.misc.Signal;

/**
 * SIGTERM, the way Kubernetes stops a pod, ends the operator as any orderly exit does: Quarkus
 * stops the application (the operator stops and gives up its Lease) and the process exits with 0.
 *
 * <p>Left to the JVM, SIGTERM starts the JVM's shutdown, Quarkus stops the application from a
 * shutdown hook, and the process ends with 143 (128 + 15) however cleanly it stopped: once a signal
 * has begun the JVM's shutdown, only {@code Runtime.halt}, which cuts the other shutdown hooks
 * short, could change the status. Quarkus handles TERM itself only in native images ({@code
 * ApplicationLifecycleManager}'s signal handlers); this handler does the same on the JVM through
 * {@link Quarkus#asyncExit(int)}, the exit Quarkus offers applications: the main thread stops the
 * application, outside any shutdown hook, then exits with the code given here.
 */
@Singleton
class TerminationSignal {
    private static final int ORDERLY_EXIT_CODE = 0;

    void install(@Observes StartupEvent started) {
        // Only where Quarkus runs the process: under tests and in dev mode the JVM is not ours.
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        Signal.handle(
                new Signal("TERM"),
                signal -> {
                    Log.info("SIGTERM: stopping");
                    Quarkus.asyncExit(ORDERLY_EXIT_CODE);
                });
    }
}
