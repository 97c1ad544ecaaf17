package dev.sharpness.trainer.training;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request, from another thread (a SIGTERM shutdown hook), that a run stop at the next step
 * boundary with a checkpoint, and the means to wait until it has.
 */
public final class StopRequest {
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean requested;

    /** Asks the run to stop after the step in progress (or the next one, between steps). */
    public void request() {
        requested = true;
    }

    public boolean requested() {
        return requested;
    }

    /** The run is over, whichever way: {@link #awaitEnd} returns. */
    public void ended() {
        ended.countDown();
    }

    /** Waits until {@link #ended}, at most {@code limit}; whether it did. */
    public boolean awaitEnd(Duration limit) throws InterruptedException {
        return ended.await(limit.toNanos(), TimeUnit.NANOSECONDS);
    }
}
