package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A flat vector from the wire (the peer's gradient, or our own as the wire rounded it) as tensors,
 * every step in the same native buffer: each step copies the vector in and makes tensors that view
 * their slices of it, so a step allocates no memory for them. A tensor made from a Java array would
 * instead get fresh direct memory each step, which only a garbage collection gives back.
 *
 * <p>The tensors of one {@link #wrap} stay valid until the next: the caller must be done with them
 * by then (a SAMPa step uses the swapped gradients within the step and keeps only copies).
 */
final class FlatTensors {
    private final ByteBuffer memory;

    FlatTensors(int elements) {
        this.memory =
                ByteBuffer.allocateDirect(Math.multiplyExact(elements, Float.BYTES))
                        .order(ByteOrder.nativeOrder());
    }

    /**
     * {@code flat} as tensors shaped like {@code like}, owned by {@code owner} (closing them leaves
     * the buffer alone).
     */
    ParamVector wrap(float[] flat, ParamVector like, NDManager owner) {
        if ((long) flat.length * Float.BYTES != memory.capacity()
                || flat.length != like.elementCount()) {
            throw new IllegalArgumentException(
                    "a vector of " + flat.length + " values for a model of " + like.elementCount());
        }
        memory.asFloatBuffer().put(flat);
        List<NDArray> tensors = new ArrayList<>(like.size());
        int at = 0;
        for (NDArray t : like.tensors()) {
            int n = Math.toIntExact(t.size());
            ByteBuffer slice =
                    memory.slice(at * Float.BYTES, n * Float.BYTES).order(ByteOrder.nativeOrder());
            tensors.add(owner.create(slice, t.getShape(), DataType.FLOAT32));
            at += n;
        }
        return new ParamVector(tensors);
    }
}
