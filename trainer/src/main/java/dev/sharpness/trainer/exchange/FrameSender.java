package dev.sharpness.trainer.exchange;

import dev.sharpness.trainer.exchange.codec.WireFrame;
import io.grpc.Status;
import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.ClientCallStreamObserver;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Our half of one exchange stream. Sends only as fast as the transport drains (gRPC's readiness),
 * so a 146 MB vector is never queued in memory whole, and waits at most until a deadline.
 */
final class FrameSender {
    private final String peer;
    private final Duration timeout;
    private CallStreamObserver<WireFrame> out;
    private RuntimeException lost; // why nothing can be sent any more, once the stream ended
    private boolean completed;

    FrameSender(String peer, Duration timeout) {
        this.peer = peer;
        this.timeout = timeout;
    }

    /** Binds the stream; must be called while gRPC allows setting its ready handler. */
    synchronized void attach(CallStreamObserver<WireFrame> out) {
        this.out = out;
        out.setOnReadyHandler(this::ready);
    }

    /** Sends one frame, first waiting until the transport takes more, but not past the deadline. */
    synchronized void send(WireFrame frame, long deadlineNanos, String what) {
        while (lost == null && !completed && !out.isReady()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new PeerLostException(
                        peer
                                + " did not take "
                                + what
                                + " within "
                                + PairExchange.seconds(timeout));
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PeerLostException("interrupted while sending " + what + " to " + peer);
            }
        }
        if (lost != null) {
            throw FrameAssembler.again(lost);
        }
        if (completed) {
            throw new PeerLostException("cannot send " + what + " to " + peer + ": closed");
        }
        try {
            out.onNext(frame);
        } catch (RuntimeException e) {
            lost = new PeerLostException("cannot send " + what + " to " + peer, e);
            throw lost;
        }
    }

    /** The stream ended for {@code why}: wakes a waiting {@link #send}, which then fails so. */
    synchronized void lost(RuntimeException why) {
        if (lost == null) {
            lost = why;
        }
        notifyAll();
    }

    /** Ends our half of the stream; the peer sees it closed. */
    synchronized void complete() {
        if (!completed && out != null) {
            completed = true;
            try {
                out.onCompleted();
            } catch (RuntimeException e) {
                // The call is already gone (cancelled or failed): there is nothing left to end.
            }
        }
        notifyAll();
    }

    /**
     * Breaks our half of the stream as a failed connection would: the peer sees the stream
     * cancelled, this side sees it end. For tests of a stream lost in the middle of a run.
     */
    synchronized void abort(String why) {
        if (out instanceof ClientCallStreamObserver<WireFrame> call) {
            call.cancel(why, null);
        } else if (out != null) {
            out.onError(Status.UNAVAILABLE.withDescription(why).asRuntimeException());
        }
    }

    private synchronized void ready() {
        notifyAll();
    }
}
