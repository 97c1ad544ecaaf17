package dev.sharpness.operator;

import io.quarkus.logging.Log;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * What the operator does when it stops leading. The operator SDK stops leading in two cases that
 * need opposite answers: when the application stops (SIGTERM), the Lease is released so a standby
 * leads at once; when leadership is lost while running (the Lease could not be renewed in time, or
 * another instance holds it), the process ends, so the pod restarts as a follower with fresh
 * caches.
 */
final class StopLeading implements Runnable {
    /** The exit code of a process that lost leadership while running. */
    static final int LOST_LEADERSHIP_EXIT_CODE = 1;

    private final AtomicBoolean applicationStopping = new AtomicBoolean();
    private final BooleanSupplier releaseLease;
    private final boolean exitOnLostLeadership;
    private final IntConsumer exit;

    /**
     * @param releaseLease releases the Lease if this instance holds it, and says whether it did
     * @param exitOnLostLeadership whether leadership lost while running ends the process
     * @param exit asks the application to exit with a code; it must not wait for the exit: it runs
     *     while the leader elector holds its lock, which stopping the application needs
     */
    StopLeading(BooleanSupplier releaseLease, boolean exitOnLostLeadership, IntConsumer exit) {
        this.releaseLease = releaseLease;
        this.exitOnLostLeadership = exitOnLostLeadership;
        this.exit = exit;
    }

    /** From now on, leading stops because the application stops: release, never exit. */
    void applicationStopping() {
        applicationStopping.set(true);
    }

    @Override
    public void run() {
        if (applicationStopping.get()) {
            release();
        } else if (exitOnLostLeadership) {
            Log.warn("Lost leadership while running: exiting, to restart as a follower");
            exit.accept(LOST_LEADERSHIP_EXIT_CODE);
        } else {
            Log.warn("Lost leadership while running; configured not to exit");
        }
    }

    private void release() {
        try {
            if (releaseLease.getAsBoolean()) {
                Log.info("Released the leader election Lease");
            }
        } catch (RuntimeException e) {
            // The standby then takes over once the Lease runs out, as after a crash.
            Log.warnf(e, "Could not release the leader election Lease");
        }
    }
}
