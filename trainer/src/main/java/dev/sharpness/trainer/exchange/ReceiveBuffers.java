package dev.sharpness.trainer.exchange;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two buffers the peer's gradients are received into, in turn: the peer's k-th gradient goes
 * into buffer {@code k % 2}, so a swap allocates nothing and the buffer a swap returned stays
 * intact until the next swap begins. Two suffice: the peer sends its gradient k only after it has
 * received ours of swap k - 1, so by then this rank has begun swap k - 1 and is done with what swap
 * k - 2 returned, the buffer gradient k is received into.
 *
 * <p>The buffers are direct (native memory), so that the trainer's tensors can view the peer's
 * gradient where it landed instead of copying it once more.
 */
final class ReceiveBuffers {
    private final int bytes;
    private final ByteBuffer[] buffers = new ByteBuffer[2];
    private final AtomicLong begun = new AtomicLong();

    /** Buffers of {@code bytes} bytes each (made at the first gradient that needs them). */
    ReceiveBuffers(long bytes) {
        this.bytes = Math.toIntExact(bytes);
    }

    /** This rank begins a swap; returns its number, counted from 0. */
    long beginSwap() {
        return begun.getAndIncrement();
    }

    /**
     * The buffer the peer's gradient number {@code vector} (from 0) is received into,
     * little-endian, position 0 and limit its capacity.
     *
     * @throws ExchangeProtocolException if the peer sent it before this rank began the swap before
     *     it: that buffer is still the caller's
     */
    ByteBuffer forGradient(long vector, String peer) {
        if (vector > begun.get()) {
            throw new ExchangeProtocolException(
                    "%s sent its gradient number %d before this rank began swapping number %d"
                            .formatted(peer, vector + 1, vector));
        }
        int index = (int) (vector % 2);
        synchronized (buffers) {
            if (buffers[index] == null) {
                buffers[index] = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
            }
            return buffers[index];
        }
    }
}
