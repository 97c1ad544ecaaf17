package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.FrameKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A pair's exchange streams, one to {@link #MAX}, each carrying a slice of every gradient on its
 * own connection, so that the copies, the transport and the framing of one swap spread over as many
 * cores. They open one by one as gRPC starts their calls. A broken stream ends them all, for the
 * same reason, as the end of the one stream did before there were several; a stream the peer ends
 * cleanly ends alone, after delivering what it carried, so that a peer closing right after its last
 * swap does not cut the slices still on their way on the other streams.
 */
final class Streams {
    /** Streams a pair uses at most: enough for the cores of one GPU's share of a node. */
    static final int MAX = 16;

    private final String peer;
    private final long elementCount;
    private final WirePrecision precision;
    private final Duration timeout;
    private final ExchangeStream[] streams;
    private final ExecutorService[] sendThreads; // [0] only for a swap begun before it is final
    private final ReceiveBuffers buffers;
    private final CompletableFuture<Streams> allOpen = new CompletableFuture<>();
    private RuntimeException ended; // guarded by this
    private int opened; // guarded by this
    private boolean sendingStopped; // guarded by this

    Streams(String peer, int count, Identity identity, WirePrecision precision, Duration timeout) {
        if (count < 1 || count > MAX) {
            throw new IllegalArgumentException(
                    "exchange streams must be 1 to " + MAX + ", not " + count);
        }
        this.peer = peer;
        this.elementCount = identity.layout().elementCount();
        this.precision = precision;
        this.timeout = timeout;
        this.streams = new ExchangeStream[count];
        this.sendThreads = new ExecutorService[count];
        this.buffers = new ReceiveBuffers(elementCount * precision.bytesPerElement());
    }

    int count() {
        return streams.length;
    }

    ExchangeStream get(int index) {
        return streams[index];
    }

    /** Completes when every stream is open; fails when one ended before. */
    CompletableFuture<Streams> allOpen() {
        return allOpen;
    }

    ReceiveBuffers buffers() {
        return buffers;
    }

    /**
     * Makes stream {@code index} (in range), to be bound to its call and then {@link #started};
     * null if it was made already.
     */
    synchronized ExchangeStream open(int index) {
        if (streams[index] != null) {
            return null;
        }
        int from = ExchangeStream.sliceStart(elementCount, index, streams.length);
        int to = ExchangeStream.sliceStart(elementCount, index + 1, streams.length);
        FrameSender sender = new FrameSender(peer, timeout);
        FrameAssembler inbound =
                new FrameAssembler(
                        peer,
                        elementCount,
                        from,
                        to,
                        precision,
                        sender,
                        timeout,
                        buffers,
                        this::end,
                        this::endedCleanly);
        ExchangeStream stream = new ExchangeStream(index, from, to, sender, inbound, precision);
        streams[index] = stream;
        if (ended != null) {
            inbound.end(ended);
        }
        return stream;
    }

    /** {@code stream}'s call has started and its sender is bound. */
    synchronized void started(ExchangeStream stream) {
        if (ended == null && ++opened == streams.length) {
            allOpen.complete(this);
        }
    }

    /**
     * The peer ended one stream cleanly: the others go on delivering what they carry, and end when
     * their own ends arrive. Pairing, if still going on, fails.
     */
    void endedCleanly(RuntimeException why) {
        allOpen.completeExceptionally(why);
    }

    /** Ends every stream for {@code why} (the first reason stays, as on one stream). */
    void end(RuntimeException why) {
        ExchangeStream[] open;
        synchronized (this) {
            if (ended == null) {
                ended = why;
            }
            open = streams.clone();
        }
        allOpen.completeExceptionally(why);
        for (ExchangeStream stream : open) {
            if (stream != null) {
                stream.inbound().end(why);
            }
        }
    }

    /**
     * Starts sending the slices of {@code mine} of streams {@code first} and up, each on its own
     * thread, each chunk once {@code readiness} says it is final.
     */
    List<Future<ExchangeStream.Sent>> startSending(
            long step, byte[] mine, Readiness readiness, long deadline, int first) {
        List<Future<ExchangeStream.Sent>> sends = new ArrayList<>(streams.length - first);
        for (int i = first; i < streams.length; i++) {
            ExchangeStream stream = streams[i];
            sends.add(
                    sendThread(i)
                            .submit(() -> stream.sendGradient(step, mine, readiness, deadline)));
        }
        return sends;
    }

    /** {@code sent} and what {@code sends} sent, once they all have. */
    ExchangeStream.Sent finishSending(
            ExchangeStream.Sent sent,
            List<Future<ExchangeStream.Sent>> sends,
            long deadline,
            long step) {
        for (Future<ExchangeStream.Sent> sending : sends) {
            sent = sent.plus(await(sending, deadline, step));
        }
        return sent;
    }

    /**
     * The peer's gradient for {@code step}, once every stream has delivered its slice: the buffer
     * it was received into, the intent stream 0 carried, the earliest first arrival and the time
     * all streams together spent copying it out of gRPC's buffers.
     */
    FrameAssembler.Vector receiveGradient(long step, long deadline) {
        FrameAssembler.Vector first =
                streams[0].inbound().receive(step, FrameKind.FRAME_KIND_GRADIENT, deadline);
        long firstArrival = first.firstArrivalNanos();
        long decodeNanos = first.decodeNanos();
        for (int i = 1; i < streams.length; i++) {
            FrameAssembler.Vector slice =
                    streams[i].inbound().receive(step, FrameKind.FRAME_KIND_GRADIENT, deadline);
            firstArrival = Math.min(firstArrival, slice.firstArrivalNanos());
            decodeNanos += slice.decodeNanos();
        }
        return new FrameAssembler.Vector(
                step,
                FrameKind.FRAME_KIND_GRADIENT,
                first.gradient(),
                null,
                first.intent(),
                firstArrival,
                decodeNanos);
    }

    /** The thread that sends stream {@code index}'s slices, started at its first swap. */
    private synchronized ExecutorService sendThread(int index) {
        if (sendingStopped) {
            throw new PeerLostException("the exchange with " + peer + " was closed on this side");
        }
        if (sendThreads[index] == null) {
            sendThreads[index] =
                    Executors.newSingleThreadExecutor(GuardedServer.threads("send-" + index));
        }
        return sendThreads[index];
    }

    /** Stops the sending threads (a send still waiting for the transport is interrupted). */
    void stopSending() {
        List<ExecutorService> started = new ArrayList<>();
        synchronized (this) {
            sendingStopped = true;
            for (ExecutorService thread : sendThreads) {
                if (thread != null) {
                    started.add(thread);
                }
            }
        }
        started.forEach(ExecutorService::shutdownNow);
        try {
            for (ExecutorService thread : started) {
                thread.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ExchangeStream.Sent await(
            Future<ExchangeStream.Sent> sending, long deadline, long step) {
        try {
            // The send itself gives up at the deadline; the second is for it to say so.
            long left = deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            return sending.get(left, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure
                    ? FrameAssembler.again(failure)
                    : new PeerLostException("sending to " + peer + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new PeerLostException(
                    peer
                            + " did not take the gradient for step "
                            + step
                            + " within "
                            + PairExchange.seconds(timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerLostException("interrupted while sending to " + peer);
        }
    }
}
