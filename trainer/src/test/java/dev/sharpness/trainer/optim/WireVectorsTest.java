package dev.sharpness.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sharpness.trainer.exchange.Vectors;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A gradient into the wire's bytes and back: float32 exactly and without copies on the way in;
 * bfloat16 rounded to nearest, ties to even, and the sender's own vector rounded just as the peer
 * receives it.
 */
class WireVectorsTest {
    private static final int ROWS = 1000;
    private static final int COLUMNS = 1000;
    private static final int ELEMENTS = ROWS * COLUMNS + 3;

    /** Floats whose rounding to bf16 is a corner case: ties, carries, signed zeros, overflow. */
    private static final int[] CORNER_BITS = {
        0x3f800000, // 1.0, exact
        0x3f807fff, // below half: down
        0x3f808001, // above half: up
        0x3f808000, // a tie with an even upper half: down
        0x3f818000, // a tie with an odd upper half: up, to even
        0xbf818000, // the same, negative
        0x3f7fffff, // carries into the exponent
        0x80000000, // -0.0
        0x7f800000, // +infinity
        0xff800000, // -infinity
        0x7f7fffff, // the float maximum: rounds to infinity
        0x00000001, // the smallest subnormal: rounds to +0
        0x807fffff, // the largest negative subnormal
    };

    private NDManager manager;
    private ParamVector like;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        like =
                new ParamVector(
                        List.of(
                                manager.zeros(new Shape(ROWS, COLUMNS)),
                                manager.zeros(new Shape(3))));
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void float32CrossesAsItsLittleEndianBitsAndComesBackInTheModelsShapes() {
        float[] values = randomFinite(ELEMENTS, 1);
        WireVectors wire = new WireVectors(DataType.FLOAT32);
        try (NDManager scope = manager.newSubManager()) {
            ParamVector mine = vector(values, scope);
            WireVectors.Outgoing sent = wire.write(mine, scope);
            assertThat(sent.asSent()).isSameAs(mine);

            byte[] bytes = sent.bytes();
            assertThat(bytes).isEqualTo(Vectors.bytes(values));

            ParamVector theirs = wire.read(direct(bytes), like, scope);
            assertThat(theirs.get(0).getShape()).isEqualTo(new Shape(ROWS, COLUMNS));
            assertThat(theirs.get(1).getShape()).isEqualTo(new Shape(3));
            assertThat(concatenated(theirs)).isEqualTo(values);
        }
    }

    /**
     * A GPU's gradient comes to the host through the staging buffer, in one copy per part, and the
     * peer's goes back whole: the same bytes, the same vector as sent and the same vector received
     * as with tensors read where they lie, written top part first (as a swap that overlaps the
     * backward pass writes it) or whole, step after step.
     */
    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT32", "BFLOAT16"})
    void aGradientStagedAsOnAGpuCrossesAsTheSameBytes(DataType wireType) {
        WireVectors inPlace = new WireVectors(wireType, 1);
        WireVectors staged = new WireVectors(wireType, 1, true);
        for (int step = 0; step < 3; step++) {
            // Each step's values differ, so what an earlier step left in the buffer shows.
            float[] values = randomFinite(ELEMENTS, 4 + step);
            try (NDManager scope = manager.newSubManager()) {
                ParamVector mine = vector(values, scope);
                WireVectors.Outgoing direct = inPlace.write(mine, scope);
                byte[] expected = direct.bytes().clone();
                float[] expectedAsSent = concatenated(direct.asSent());
                if (wireType == DataType.FLOAT32) {
                    assertThat(expected).isEqualTo(Vectors.bytes(values));
                }

                staged.start(mine);
                staged.write(1, mine.tensors().subList(1, 2));
                staged.write(0, mine.tensors().subList(0, 1));
                WireVectors.Outgoing inParts = staged.written(mine, scope);
                assertThat(inParts.bytes()).as("in parts, step %d", step).isEqualTo(expected);
                assertThat(concatenated(inParts.asSent())).isEqualTo(expectedAsSent);

                WireVectors.Outgoing whole = staged.write(mine, scope);
                assertThat(whole.bytes()).as("whole, step %d", step).isEqualTo(expected);
                assertThat(concatenated(whole.asSent())).isEqualTo(expectedAsSent);

                // The peer's vector: the same values in the model's shapes, from one copy of it.
                ParamVector theirs = staged.read(direct(expected), like, scope);
                assertThat(theirs.get(0).getShape()).isEqualTo(new Shape(ROWS, COLUMNS));
                assertThat(theirs.get(1).getShape()).isEqualTo(new Shape(3));
                assertThat(concatenated(theirs)).isEqualTo(expectedAsSent);
            }
        }
        // Tensors in host memory are read where they lie; the staged ones took one buffer.
        assertThat(inPlace.stagingBytes()).isZero();
        assertThat(staged.stagingBytes()).isEqualTo((long) Float.BYTES * ELEMENTS);
    }

    /** Also through the staging buffer, which is taken once. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void stepsTakeNoNewDirectMemory(boolean staged) {
        BufferPoolMXBean direct =
                ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                        .filter(pool -> pool.getName().equals("direct"))
                        .findFirst()
                        .orElseThrow();
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.BFLOAT16}) {
            WireVectors wire = new WireVectors(type, 1, staged);
            float[] values = randomFinite(ELEMENTS, 2);
            ByteBuffer received;
            try (NDManager scope = manager.newSubManager()) {
                received = direct(wire.write(vector(values, scope), scope).bytes());
            }
            long before = direct.getMemoryUsed();
            // Tensors made from a copy each step would take 4 MB of direct memory per step,
            // given back only by a garbage collection: 80 MB here. A bf16 wire keeps two
            // buffers of its own.
            for (int step = 0; step < 20; step++) {
                try (NDManager scope = manager.newSubManager()) {
                    ParamVector mine = new ParamVector(like.tensors());
                    wire.write(mine, scope).asSent().get(1).toFloatArray();
                    wire.read(received, like, scope).get(1).toFloatArray();
                }
            }
            assertThat(direct.getMemoryUsed() - before).as("%s", type).isLessThan(9L * ELEMENTS);
        }
    }

    /** Alone, and split over threads in tasks that cut the first tensor anywhere but at its end. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void bfloat16RoundsToNearestWithTiesToEvenAndWidensExactly(int threads) {
        assertThat(ROWS * COLUMNS % WireVectors.TASK).isNotZero();
        float[] values = randomFinite(ELEMENTS, 3);
        for (int i = 0; i < CORNER_BITS.length; i++) {
            values[i * 7919] = Float.intBitsToFloat(CORNER_BITS[i]);
        }
        WireVectors wire = new WireVectors(DataType.BFLOAT16, threads);
        try (NDManager scope = manager.newSubManager()) {
            WireVectors.Outgoing sent = wire.write(vector(values, scope), scope);
            byte[] bytes = sent.bytes();

            assertThat(bytes).hasSize(2 * ELEMENTS);
            ByteBuffer halves = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            float[] expected = new float[ELEMENTS];
            for (int i = 0; i < ELEMENTS; i++) {
                int bits = Float.floatToRawIntBits(values[i]);
                assertThat(halves.getShort(2 * i) & 0xffff)
                        .as("element %d, float bits %08x", i, bits)
                        .isEqualTo(roundedToNearestEven(bits));
                expected[i] = Float.intBitsToFloat(roundedToNearestEven(bits) << 16);
            }
            // Both ranks step along exactly these values: the sender's own and the peer's.
            assertThat(concatenated(sent.asSent())).isEqualTo(expected);
            assertThat(concatenated(wire.read(direct(bytes), like, scope))).isEqualTo(expected);
        }
    }

    @Test
    void aNanStaysANanOnABfloat16Wire() {
        WireVectors wire = new WireVectors(DataType.BFLOAT16);
        float[] values = new float[ELEMENTS];
        // A NaN whose payload sits only in the dropped bits must not round to infinity.
        values[5] = Float.intBitsToFloat(0x7f800001);
        values[6] = Float.NaN;
        try (NDManager scope = manager.newSubManager()) {
            byte[] bytes = wire.write(vector(values, scope), scope).bytes();
            float[] received = concatenated(wire.read(direct(bytes), like, scope));
            assertThat(received[5]).isNaN();
            assertThat(received[6]).isNaN();
            assertThat(received[7]).isZero();
        }
    }

    @Test
    void aVectorOfAnotherSizeIsRefusedWithBothSizes() {
        WireVectors wire = new WireVectors(DataType.BFLOAT16);
        assertThatThrownBy(() -> wire.read(direct(new byte[10]), like, manager))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the peer sent 10 bytes; the model's %d values take %d as bfloat16"
                                .formatted(ELEMENTS, 2 * ELEMENTS));
    }

    /** bfloat16 by the definition: the upper half after rounding the lower, ties to even. */
    private static int roundedToNearestEven(int floatBits) {
        int roundingBias = 0x7fff + ((floatBits >>> 16) & 1);
        return ((floatBits + roundingBias) >>> 16) & 0xffff;
    }

    private ParamVector vector(float[] values, NDManager scope) {
        return new ParamVector(
                List.of(
                        scope.create(java.util.Arrays.copyOfRange(values, 0, ROWS * COLUMNS))
                                .reshape(ROWS, COLUMNS),
                        scope.create(
                                java.util.Arrays.copyOfRange(values, ROWS * COLUMNS, ELEMENTS))));
    }

    private static float[] concatenated(ParamVector v) {
        float[] all = new float[ELEMENTS];
        int at = 0;
        for (NDArray t : v.tensors()) {
            float[] part = t.toFloatArray();
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    private static float[] randomFinite(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-20, 20)));
        }
        return values;
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put(bytes)
                .flip();
    }
}
