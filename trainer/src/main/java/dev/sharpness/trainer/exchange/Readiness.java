package dev.sharpness.trainer.exchange;

import java.util.concurrent.TimeUnit;

/**
 * How much of this rank's gradient for one swap is final, as a single mark: every element from
 * {@link #from} to the end of the vector is final, the ones below it may still change. A backward
 * pass makes the gradients final from the network's output towards its input, which is the vector's
 * end towards its start, so one mark that only ever moves down says all a sender needs. Each stream
 * sends its slice from its end towards its start, each chunk down to the mark or a whole chunk,
 * whichever is less.
 */
final class Readiness {
    /** What {@link #awaitFinal} returns when the deadline passed or the swap was given up. */
    static final long GIVEN_UP = -1;

    private final long elementCount;
    private long from; // guarded by this
    private StepIntent intent = StepIntent.NONE; // guarded by this; set with the last elements
    private boolean cancelled; // guarded by this

    private Readiness(long elementCount, long from) {
        this.elementCount = elementCount;
        this.from = from;
    }

    /** The whole vector final already, and what this rank does after the step: a plain swap. */
    static Readiness whole(long elementCount, StepIntent intent) {
        Readiness whole = new Readiness(elementCount, elementCount);
        whole.allFinal(intent);
        return whole;
    }

    /** Nothing final yet: the swap begins while the backward pass still runs. */
    static Readiness none(long elementCount) {
        return new Readiness(elementCount, elementCount);
    }

    /**
     * Elements {@code [element, n)} are final. The mark only moves down: a higher one than before
     * is an error of the caller's (those elements were said to be final and may have gone already).
     */
    synchronized void finalFrom(long element) {
        if (element < 0 || element > elementCount) {
            throw new IllegalArgumentException(
                    "element " + element + " is outside a vector of " + elementCount);
        }
        if (element > from) {
            throw new IllegalArgumentException(
                    "elements from %d on were final already; %d would take some back"
                            .formatted(from, element));
        }
        from = element;
        notifyAll();
    }

    /**
     * The whole vector is final, and after the step this rank does what {@code intent} says; it
     * travels with the chunk that ends stream 0's slice, the last one to become final.
     */
    synchronized void allFinal(StepIntent intent) {
        this.intent = intent;
        finalFrom(0);
    }

    /** What this rank does after the step; known once the whole vector is final. */
    synchronized StepIntent intent() {
        return intent;
    }

    /** The swap is given up (the exchange closes): a waiting sender stops waiting. */
    synchronized void cancel() {
        cancelled = true;
        notifyAll();
    }

    /**
     * Waits until {@code element} and everything above it is final, but not past the deadline.
     *
     * @return the mark then (at or below {@code element}), or {@link #GIVEN_UP}
     */
    synchronized long awaitFinal(long element, long deadlineNanos) throws InterruptedException {
        while (from > element && !cancelled) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return GIVEN_UP;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return cancelled ? GIVEN_UP : from;
    }
}
