package dev.sharpness.trainer.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * A SAMPa gradient as the pair exchange carries it: the vector's tensors in order, each element a
 * float32 or, for half the bytes, a bfloat16 ({@link Bf16}), little-endian. The exchange only moves
 * bytes; this is where a gradient becomes them and where the peer's become tensors again.
 *
 * <p>Float32: sending copies each tensor's bytes straight from its memory into one array, reused
 * every step; receiving makes tensors that view the exchange's buffer where the peer's bytes
 * landed, with no copy. On a GPU each direction crosses between device and host in one transfer per
 * part rather than one per tensor: a gradient is joined on the device and copied into a staging
 * buffer allocated once (the engine's own way out, a fresh host tensor per tensor each step, costs
 * the host's allocator and the kernel's zeroing of new pages on every step: {@code
 * bench/host_buffers.py}), and the peer's goes to the device whole, its tensors views of it.
 * Bfloat16: both directions convert in one pass each, through small arrays that stay in the cache,
 * into native buffers reused every step that the tensors then view; the rank's own gradient is
 * rounded and widened in the same pass, since its peer steps along the rounded one. A large
 * vector's conversion is split over the threads the rank computes on (nothing else runs on its
 * critical path meanwhile): WRN-28-10's 36 million elements took about 35 ms to round and 18 ms to
 * widen on one core of a 2-core machine, 21 and 10 on two ({@code bench/wire-convert.sh}).
 *
 * <p>A gradient can also be written in parts ({@link #start}, {@link #write(int, List)}, {@link
 * #written}), the top layers' tensors first, for a swap that sends them while the backward pass
 * computes the rest.
 *
 * <p>The tensors of one step stay valid until the next step's call: the caller must be done with
 * them by then (a SAMPa step uses the swapped gradients within the step and keeps only copies).
 */
public final class WireVectors {
    /** Elements converted at a time: small enough for the scratch arrays to stay in the cache. */
    private static final int PIECE = 4096;

    /** Elements per task when a conversion is split over cores: worth handing to a thread. */
    static final int TASK = 1 << 18;

    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final DataType wire;
    private final ForkJoinPool cores; // bf16 over several cores; null: the caller converts alone
    private final boolean alwaysStaged; // stage host tensors too (tests of the GPU path on a CPU)
    private ByteBuffer staging; // the vector in float32 as it came off its device
    private byte[] outgoing; // our vector as sent, reused every step
    private long[] offsets; // where each of its tensors begins, in elements, and its end
    private ByteBuffer ownWidened; // bf16: our vector as sent, back in float32
    private ByteBuffer peerWidened; // bf16: the peer's vector in float32

    /** Our vector's bytes to send, and the vector as the peer will have it. */
    public record Outgoing(byte[] bytes, ParamVector asSent) {}

    /**
     * Converts on as many threads as PyTorch computes on (its intra-op threads: {@code --threads},
     * by default the cores the rank may use), which are idle while the gradient is converted.
     */
    WireVectors(DataType wire) {
        this(wire, JniUtils.getNumThreads());
    }

    /** Converts over at most {@code threads} threads. */
    public WireVectors(DataType wire, int threads) {
        this(wire, threads, false);
    }

    /**
     * With {@code alwaysStaged}, a vector in host memory takes a GPU's way too: out through the
     * staging buffer, and back as views of one copy. That is how a machine without a GPU tests it.
     */
    WireVectors(DataType wire, int threads, boolean alwaysStaged) {
        if (wire != DataType.FLOAT32 && wire != DataType.BFLOAT16) {
            throw new IllegalArgumentException(
                    "gradients cross as float32 or bfloat16, not " + wire);
        }
        // Tensors read their memory in the machine's byte order; the wire's is little-endian.
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("the pair exchange needs a little-endian machine");
        }
        this.wire = wire;
        // Its threads are daemons and idle between steps; they go with the process.
        this.cores = wire == DataType.BFLOAT16 && threads > 1 ? new ForkJoinPool(threads) : null;
        this.alwaysStaged = alwaysStaged;
    }

    /**
     * {@code mine} (float32 tensors) in the wire's bytes, in an array the next call overwrites, and
     * as sent: {@code mine} itself on a float32 wire, else its rounded values as tensors owned by
     * {@code scope}.
     */
    public Outgoing write(ParamVector mine, NDManager scope) {
        start(mine);
        write(0, mine.tensors());
        return written(mine, scope);
    }

    /**
     * Begins writing a vector shaped like {@code like} in parts ({@link #write(int, List)}), for a
     * swap that sends each part as it is written.
     *
     * @return the array the parts go into: the bytes to send, reused every step
     */
    public byte[] start(ParamVector like) {
        offsets = new long[like.size() + 1];
        for (int i = 0; i < like.size(); i++) {
            offsets[i + 1] = offsets[i] + like.get(i).size();
        }
        long elements = offsets[like.size()];
        int size = Math.toIntExact(elements * wire.getNumOfBytes());
        if (outgoing == null || outgoing.length != size) {
            outgoing = new byte[size];
        }
        if (wire == DataType.BFLOAT16) {
            ownWidened = floatBuffer(ownWidened, elements);
        }
        return outgoing;
    }

    /** Where the vector's tensor {@code tensor} begins, in elements ({@link #start}'s vector). */
    public long firstElement(int tensor) {
        return offsets[tensor];
    }

    /**
     * Writes {@code tensors} as the tensors from {@code first} of the vector {@link #start} began.
     *
     * @throws IllegalArgumentException if a tensor's size is not its place's
     */
    public void write(int first, List<NDArray> tensors) {
        for (int i = 0; i < tensors.size(); i++) {
            long size = offsets[first + i + 1] - offsets[first + i];
            if (tensors.get(i).size() != size) {
                throw new IllegalArgumentException(
                        "tensor %d has %d elements, the vector's %d there"
                                .formatted(first + i, tensors.get(i).size(), size));
            }
        }
        if (tensors.isEmpty()) {
            return;
        }
        boolean staged = alwaysStaged || !tensors.stream().allMatch(WireVectors::inHostMemory);
        if (staged) {
            stage(first, tensors);
        }
        List<Runnable> tasks = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            long at = offsets[first + i];
            ByteBuffer bytes =
                    staged
                            ? staging.slice(
                                    Math.toIntExact(at * Float.BYTES),
                                    Math.toIntExact(tensors.get(i).size() * Float.BYTES))
                            // A view of the tensor's own memory: toByteBuffer() would copy it
                            // into a fresh array.
                            : tensors.get(i).toByteBuffer(true);
            if (wire == DataType.FLOAT32) {
                bytes.get(outgoing, Math.toIntExact(at * Float.BYTES), bytes.remaining());
                continue;
            }
            FloatBuffer values = bytes.order(ByteOrder.nativeOrder()).asFloatBuffer();
            int n = values.remaining();
            for (int from = 0; from < n; from += TASK) {
                int start = from;
                int to = Math.toIntExact(at + from);
                int count = Math.min(TASK, n - from);
                tasks.add(() -> round(values, start, count, to));
            }
        }
        run(tasks);
    }

    /**
     * Copies {@code tensors}, the vector's from {@code first}, into their place in the staging
     * buffer in one copy: joined on their device first, where that is cheap, so that a GPU makes
     * one transfer per part rather than one per tensor, each with its own synchronisation.
     */
    private void stage(int first, List<NDArray> tensors) {
        staging = floatBuffer(staging, offsets[offsets.length - 1]);
        NDList temporaries = new NDList(tensors.size() + 1); // views, and the joined copy
        try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
            // Over the buffer's memory, not a copy of it: what is copied into this tensor is
            // what the buffer holds. Closing it leaves the memory to the buffer.
            NDArray over =
                    host.create(
                            staging, new Shape(staging.capacity() / Float.BYTES), DataType.FLOAT32);
            for (NDArray t : tensors) {
                temporaries.add(t.reshape(-1));
            }
            NDArray joined = temporaries.get(0);
            if (tensors.size() > 1) {
                joined = NDArrays.concat(temporaries);
                temporaries.add(joined);
            }
            // torch's index_put_ with one slice is a copy_ into that slice, across devices; DJL's
            // set(NDIndex, NDArray) would first bring the value to the host in a fresh tensor.
            JniUtils.indexSet(
                    (PtNDArray) over,
                    (PtNDArray) joined,
                    new long[] {offsets[first]},
                    new long[] {offsets[first + tensors.size()]},
                    new long[] {1});
        } finally {
            temporaries.close();
        }
    }

    /** Bytes of host memory taken to stage gradients off their device: 0 until one is staged. */
    long stagingBytes() {
        return staging == null ? 0 : staging.capacity();
    }

    private static boolean inHostMemory(NDArray t) {
        return Device.cpu().equals(t.getDevice());
    }

    /**
     * The vector {@link #start} began, once all of it is written: its bytes, and {@code mine} as
     * sent ({@link #write(ParamVector, NDManager)}).
     */
    public Outgoing written(ParamVector mine, NDManager scope) {
        if (wire == DataType.FLOAT32) {
            return new Outgoing(outgoing, mine);
        }
        return new Outgoing(outgoing, views(ownWidened, mine, scope));
    }

    /**
     * The peer's vector {@code received} (in the wire's format, from its position to its limit) as
     * float32 tensors shaped like {@code like}, owned by {@code scope}. On a float32 wire the
     * tensors view {@code received}'s memory (when it is direct): they are valid as long as it is.
     *
     * @throws IllegalArgumentException if the size does not fit the model
     */
    public ParamVector read(ByteBuffer received, ParamVector like, NDManager scope) {
        long elements = like.elementCount();
        long expected = elements * wire.getNumOfBytes();
        if (received.remaining() != expected) {
            throw new IllegalArgumentException(
                    "the peer sent %d bytes; the model's %d values take %d as %s"
                            .formatted(received.remaining(), elements, expected, wire));
        }
        if (wire == DataType.FLOAT32) {
            return views(received.slice(), like, scope);
        }
        peerWidened = floatBuffer(peerWidened, elements);
        ShortBuffer bits = received.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        List<Runnable> tasks = new ArrayList<>();
        for (int from = 0; from < elements; from += TASK) {
            int first = from;
            int count = (int) Math.min(TASK, elements - from);
            tasks.add(() -> widen(bits, first, count));
        }
        run(tasks);
        return views(peerWidened, like, scope);
    }

    /**
     * Rounds {@code count} elements of {@code values} from {@code from} to bf16: their bytes into
     * the outgoing array, their widened values into {@link #ownWidened}, both from element {@code
     * at}.
     */
    private void round(FloatBuffer values, int from, int count, int at) {
        float[] floats = new float[PIECE];
        FloatBuffer widened = ownWidened.asFloatBuffer();
        for (int done = 0; done < count; ) {
            int n = Math.min(PIECE, count - done);
            values.get(from + done, floats, 0, n);
            for (int i = 0; i < n; i++) {
                short half = Bf16.round(floats[i]);
                SHORT_LE.set(outgoing, 2 * (at + done + i), half);
                floats[i] = Bf16.widen(half);
            }
            widened.put(at + done, floats, 0, n);
            done += n;
        }
    }

    /**
     * Widens {@code count} bf16 elements of {@code bits} from {@code from} into the peer's buffer.
     */
    private void widen(ShortBuffer bits, int from, int count) {
        short[] halves = new short[PIECE];
        float[] floats = new float[PIECE];
        FloatBuffer widened = peerWidened.asFloatBuffer();
        for (int done = 0; done < count; ) {
            int n = Math.min(PIECE, count - done);
            bits.get(from + done, halves, 0, n);
            for (int i = 0; i < n; i++) {
                floats[i] = Bf16.widen(halves[i]);
            }
            widened.put(from + done, floats, 0, n);
            done += n;
        }
    }

    /**
     * Runs {@code tasks} (disjoint ranges of one conversion), over the cores when there are some.
     */
    private void run(List<Runnable> tasks) {
        if (cores == null || tasks.size() == 1) {
            tasks.forEach(Runnable::run);
            return;
        }
        List<ForkJoinTask<?>> running = new ArrayList<>(tasks.size());
        for (Runnable task : tasks) {
            running.add(cores.submit(task));
        }
        running.forEach(ForkJoinTask::join);
    }

    /**
     * Float32 tensors shaped like {@code like} over {@code memory}, from its start, on {@code
     * scope}'s device. In host memory they view {@code memory} itself; on a GPU they view one copy
     * of it there, made in one transfer rather than one per tensor.
     */
    private ParamVector views(ByteBuffer memory, ParamVector like, NDManager scope) {
        List<NDArray> tensors = new ArrayList<>(like.size());
        if (alwaysStaged || !Device.cpu().equals(scope.getDevice())) {
            long elements = like.elementCount();
            ByteBuffer all =
                    memory.slice(0, Math.toIntExact(elements * Float.BYTES))
                            .order(ByteOrder.nativeOrder());
            NDArray joined = scope.create(all, new Shape(elements), DataType.FLOAT32);
            long at = 0;
            for (NDArray t : like.tensors()) {
                NDIndex place = new NDIndex().addSliceDim(at, at + t.size());
                tensors.add(joined.get(place).reshape(t.getShape()));
                at += t.size();
            }
            return new ParamVector(tensors);
        }
        int at = 0;
        for (NDArray t : like.tensors()) {
            int bytes = Math.toIntExact(t.size() * Float.BYTES);
            ByteBuffer slice = memory.slice(at, bytes).order(ByteOrder.nativeOrder());
            tensors.add(scope.create(slice, t.getShape(), DataType.FLOAT32));
            at += bytes;
        }
        return new ParamVector(tensors);
    }

    /** {@code kept} if it holds {@code elements} floats, else a fresh native buffer that does. */
    private static ByteBuffer floatBuffer(ByteBuffer kept, long elements) {
        int size = Math.toIntExact(elements * Float.BYTES);
        if (kept != null && kept.capacity() == size) {
            return kept;
        }
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }
}
