package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.data.BatchAssembler;
import dev.sharpness.trainer.data.BatchPlan;
import dev.sharpness.trainer.data.DatasetLoader;
import dev.sharpness.trainer.data.TrainingData;
import dev.sharpness.trainer.optim.BatchNormMode;
import dev.sharpness.trainer.optim.Batches;
import dev.sharpness.trainer.optim.Gradient;
import dev.sharpness.trainer.optim.GradientSwap;
import dev.sharpness.trainer.optim.Objective;
import dev.sharpness.trainer.optim.ParamVector;
import dev.sharpness.trainer.optim.Perturbation;
import dev.sharpness.trainer.optim.Sampa;
import dev.sharpness.trainer.optim.SampaWorker;
import dev.sharpness.trainer.optim.SgdMomentum;
import dev.sharpness.trainer.optim.TrainingMethod;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Exchanger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two SAMPa workers, each with its own network, swapping gradients (here through an in-memory
 * exchanger, across threads) compute exactly what the serial emulation computes: ALGORITHMS.md
 * property 8 without the network in between.
 */
class SampaPairTest {
    private static final int CLASSES = 4;
    private static final int STEPS = 14; // two epoch boundaries of the tiny job

    /** PyTorch allows one gradient collector per process at a time. */
    private static final Object COLLECTOR = new Object();

    @TempDir Path dir;

    /**
     * A rank with overlap on begins its swap as soon as its backward pass has made the gradient's
     * top part final, and the exchanger here checks that the part said to be final is exactly what
     * is sent at the end. Each rank decides for itself (from its own device), so the ranks may
     * differ: the bytes swapped are the same either way.
     */
    @ParameterizedTest(name = "swap overlapping the backward pass: rank 0 {0}, rank 1 {1}; {2}")
    @CsvSource({
        "false, false, FLOAT32",
        "true, true, FLOAT32",
        "true, false, FLOAT32",
        "false, true, FLOAT32",
        "false, false, BFLOAT16",
        "true, false, BFLOAT16"
    })
    @Timeout(120)
    void pairOfWorkersEqualsTheSerialEmulationBitForBit(
            boolean overlap0, boolean overlap1, DataType wireType) throws Exception {
        TrainingData data = DatasetLoader.load(TinyJobs.job().getSpec().getDataset(), dir, 7);
        BatchPlan plan = new BatchPlan(7, data.train().size(), 32);
        BatchAssembler assembler = new BatchAssembler(data.train(), false, 7);
        Batches<Batch> batches =
                (t, owner) -> assembler.assemble(owner, plan.indices(t), plan.epochOf(t), t);

        try (NDManager root = NDManager.newBaseManager()) {
            Network serialNet = Network.create(ModelSpec.Architecture.CNN, 1, 8, CLASSES, 7, root);
            Network rank0 = Network.create(ModelSpec.Architecture.CNN, 1, 8, CLASSES, 7, root);
            Network rank1 = Network.create(ModelSpec.Architecture.CNN, 1, 8, CLASSES, 7, root);

            // With bf16 on the wire, the serial emulation rounds both gradients as the wire does.
            Sampa<Batch> serial = sampa(serialNet, wireType, root);
            run(serial, batches, root);

            CheckedSwap swap = new CheckedSwap(wireType);
            TrainingMethod<Batch> worker0 = worker(0, rank0, swap, overlap0, root);
            TrainingMethod<Batch> worker1 = worker(1, rank1, swap, overlap1, root);
            CompletableFuture<Void> one = new CompletableFuture<>();
            Thread rankOne =
                    new Thread(
                            () -> {
                                try {
                                    // PyTorch's grad mode is per thread and on by default; DJL
                                    // turns it off only on the thread that loaded the engine.
                                    JniUtils.setGradMode(false);
                                    run(worker1, batches, root);
                                    one.complete(null);
                                } catch (Throwable e) {
                                    one.completeExceptionally(e);
                                }
                            },
                            "rank-1");
            rankOne.start();
            run(worker0, batches, root);
            one.get(60, TimeUnit.SECONDS);
            // Every swap of a rank with overlap began early, none of one without.
            assertThat(swap.begun).hasValue(((overlap0 ? 1 : 0) + (overlap1 ? 1 : 0)) * STEPS);

            assertThat(rank0.checksum())
                    .as("rank 0 = serial (x and rank 0's statistics)")
                    .isEqualTo(serialNet.checksum());
            for (int i = 0; i < rank0.trainable().size(); i++) {
                assertThat(rank1.trainable().get(i).toFloatArray())
                        .as("rank 1's x")
                        .containsExactly(rank0.trainable().get(i).toFloatArray());
            }
            Map<String, NDArray> serialState = serial.stateTensors();
            ParamVector rank1Statistics = rank1.batchNormBuffers().orElseThrow();
            for (int i = 0; i < rank1Statistics.size(); i++) {
                assertThat(rank1Statistics.get(i).toFloatArray())
                        .as("rank 1's BatchNorm statistics = the serial rank 1's")
                        .containsExactly(
                                serialState.get("sampa.worker1.batchnorm." + i).toFloatArray());
            }
        }
    }

    private static Sampa<Batch> sampa(Network network, DataType wireType, NDManager root) {
        return new Sampa<>(
                locked(network),
                base(network, root),
                new Perturbation(0.05, false),
                0.2,
                wireType,
                root);
    }

    /**
     * The two ranks' swaps through an in-memory exchanger. A swap begun early keeps what it was
     * told is final and fails at its end unless that part is still the same: what a transport
     * sending it at once would have sent.
     */
    private static final class CheckedSwap implements GradientSwap {
        private final Exchanger<byte[]> wire = new Exchanger<>();
        private final DataType wireType;
        final AtomicInteger begun = new AtomicInteger();

        CheckedSwap(DataType wireType) {
            this.wireType = wireType;
        }

        @Override
        public DataType wireType() {
            return wireType;
        }

        @Override
        public ByteBuffer swap(long step, byte[] mine) {
            try {
                // A copy: a swap keeps no reference to the caller's array.
                return ByteBuffer.wrap(wire.exchange(mine.clone(), 30, TimeUnit.SECONDS));
            } catch (Exception e) {
                throw new IllegalStateException("peer did not swap step " + step, e);
            }
        }

        @Override
        public Begun begin(long step, byte[] mine) {
            begun.incrementAndGet();
            return new Begun() {
                private int from = mine.length;
                private byte[] said = new byte[0];

                @Override
                public void finalFrom(long element) {
                    from = Math.toIntExact(element * wireType.getNumOfBytes());
                    said = Arrays.copyOfRange(mine, from, mine.length);
                }

                @Override
                public ByteBuffer finish() {
                    if (said.length == 0 || from == 0) {
                        throw new AssertionError("step " + step + ": no part was final early");
                    }
                    if (!Arrays.equals(said, Arrays.copyOfRange(mine, from, mine.length))) {
                        throw new AssertionError(
                                "step " + step + ": the part said to be final changed after");
                    }
                    return swap(step, mine);
                }
            };
        }
    }

    private static TrainingMethod<Batch> worker(
            int rank, Network network, GradientSwap swap, boolean overlap, NDManager root) {
        return new SampaWorker<>(
                rank,
                locked(network),
                base(network, root),
                new Perturbation(0.05, false),
                0.2,
                swap,
                overlap,
                root);
    }

    private static SgdMomentum base(Network network, NDManager root) {
        return new SgdMomentum(network.trainable(), root, 0.9, 5e-4, false);
    }

    private static void run(TrainingMethod<Batch> method, Batches<Batch> batches, NDManager root) {
        for (int t = 0; t < STEPS; t++) {
            try (NDManager scope = root.newSubManager()) {
                method.step(t, batches, 0.05, scope);
            }
        }
    }

    /** The network's objective with gradient passes taken one at a time across threads. */
    private static Objective<Batch> locked(Network network) {
        NetworkObjective inner = new NetworkObjective(network, 0, CLASSES);
        return new Objective<>() {
            @Override
            public ParamVector parameters() {
                return inner.parameters();
            }

            @Override
            public Gradient gradient(Batch batch, BatchNormMode mode, NDManager into) {
                synchronized (COLLECTOR) {
                    return inner.gradient(batch, mode, into);
                }
            }

            @Override
            public Gradient gradient(
                    Batch batch, BatchNormMode mode, NDManager into, EarlyGradient early) {
                synchronized (COLLECTOR) {
                    return inner.gradient(batch, mode, into, early);
                }
            }

            @Override
            public Optional<ParamVector> batchNormStatistics() {
                return inner.batchNormStatistics();
            }
        };
    }
}
