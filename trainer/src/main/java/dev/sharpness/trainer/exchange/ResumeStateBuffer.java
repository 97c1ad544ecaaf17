package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.StateChunk;

/** Rank 0's resume state as rank 1 receives it: chunks that must be contiguous and complete. */
final class ResumeStateBuffer {
    private byte[] state;
    private int received;

    /** Adds the next chunk. @throws ExchangeProtocolException if it does not fit where it goes */
    void add(StateChunk chunk) {
        if (state == null) {
            if (chunk.getTotal() < 0 || chunk.getTotal() > Integer.MAX_VALUE - 8) {
                throw new ExchangeProtocolException(
                        "rank 0 announced a resume state of " + chunk.getTotal() + " bytes");
            }
            state = new byte[(int) chunk.getTotal()];
        }
        int size = chunk.getData().size();
        if (chunk.getTotal() != state.length
                || chunk.getOffset() != received
                || size > state.length - received) {
            throw new ExchangeProtocolException(
                    "rank 0 sent %d resume-state bytes at %d of %d after %d of %d"
                            .formatted(
                                    size,
                                    chunk.getOffset(),
                                    chunk.getTotal(),
                                    received,
                                    state.length));
        }
        chunk.getData().copyTo(state, received);
        received += size;
    }

    /** The whole state. @throws ExchangeProtocolException if chunks are missing */
    byte[] whole() {
        if (state == null || received != state.length) {
            throw new ExchangeProtocolException(
                    "rank 0's resume state ended after "
                            + received
                            + " of "
                            + (state == null ? "?" : state.length)
                            + " bytes");
        }
        return state;
    }
}
