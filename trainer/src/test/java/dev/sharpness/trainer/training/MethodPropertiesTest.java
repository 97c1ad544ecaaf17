package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.data.BatchAssembler;
import dev.sharpness.trainer.data.BatchPlan;
import dev.sharpness.trainer.data.DatasetLoader;
import dev.sharpness.trainer.data.TrainingData;
import dev.sharpness.trainer.optim.BaseOptimizer;
import dev.sharpness.trainer.optim.BatchNormMode;
import dev.sharpness.trainer.optim.Batches;
import dev.sharpness.trainer.optim.Gradient;
import dev.sharpness.trainer.optim.KSam;
import dev.sharpness.trainer.optim.LookSam;
import dev.sharpness.trainer.optim.Objective;
import dev.sharpness.trainer.optim.ParamVector;
import dev.sharpness.trainer.optim.Perturbation;
import dev.sharpness.trainer.optim.Sam;
import dev.sharpness.trainer.optim.Sampa;
import dev.sharpness.trainer.optim.Sgd;
import dev.sharpness.trainer.optim.SgdMomentum;
import dev.sharpness.trainer.optim.TrainingMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ALGORITHMS.md properties 3 to 6 on the tiny CNN (with BatchNorm) and real batches, and SAMPa's
 * batch bookkeeping across an epoch boundary.
 */
class MethodPropertiesTest {
    private static final int CLASSES = 4;
    @TempDir Path dir;
    private NDManager root;
    private TrainingData data;
    private BatchPlan plan;
    private BatchAssembler assembler;

    @BeforeEach
    void open() {
        root = NDManager.newBaseManager();
        data = DatasetLoader.load(TinyJobs.job().getSpec().getDataset(), dir, 7);
        plan = new BatchPlan(7, data.train().size(), 32);
        assembler = new BatchAssembler(data.train(), false, 7);
    }

    @AfterEach
    void close() {
        root.close();
    }

    private final Batches<Batch> batches() {
        return (t, owner) -> assembler.assemble(owner, plan.indices(t), plan.epochOf(t), t);
    }

    /**
     * A fresh network (same seed every time), trained {@code steps} steps by the method made for
     * it.
     */
    private Network train(
            int steps,
            Batches<Batch> batches,
            BiFunction<Recording, BaseOptimizer, TrainingMethod<Batch>> method,
            List<Recording> recorder) {
        Network network = Network.create(ModelSpec.Architecture.CNN, 1, 8, CLASSES, 7, root);
        Recording objective = new Recording(new NetworkObjective(network, 0, CLASSES));
        recorder.add(objective);
        BaseOptimizer base = new SgdMomentum(network.trainable(), root, 0.9, 5e-4, false);
        TrainingMethod<Batch> m = method.apply(objective, base);
        for (int t = 0; t < steps; t++) {
            try (NDManager scope = root.newSubManager()) {
                m.step(t, batches, 0.05, scope);
            }
        }
        return network;
    }

    private Network train(
            int steps, BiFunction<Recording, BaseOptimizer, TrainingMethod<Batch>> method) {
        return train(steps, batches(), method, new ArrayList<>());
    }

    private static Perturbation rho(double rho) {
        return new Perturbation(rho, false);
    }

    @Test
    void lookSamWithIntervalOneIsSam() {
        Network look = train(8, (o, b) -> new LookSam<>(o, b, rho(0.05), 1, 0.7, false, root));
        Network sam = train(8, (o, b) -> new Sam<>(o, b, rho(0.05), root));
        assertThat(look.checksum()).isEqualTo(sam.checksum());
    }

    @Test
    void lookSamWithAlphaZeroIsSamEveryKthStepAndPlainStepsBetween() {
        Network look = train(8, (o, b) -> new LookSam<>(o, b, rho(0.05), 3, 0, false, root));
        Network mixed =
                train(
                        8,
                        (o, b) -> {
                            Sam<Batch> sam = new Sam<>(o, b, rho(0.05), root);
                            Sgd<Batch> sgd = new Sgd<>(o, b);
                            return new TrainingMethod<>() {
                                @Override
                                public dev.sharpness.trainer.optim.StepResult step(
                                        long step,
                                        Batches<Batch> batches,
                                        double lr,
                                        NDManager scope) {
                                    return (step % 3 == 0 ? sam : sgd)
                                            .step(step, batches, lr, scope);
                                }

                                @Override
                                public Map<String, NDArray> stateTensors() {
                                    return Map.of();
                                }
                            };
                        });
        assertThat(look.checksum()).isEqualTo(mixed.checksum());
    }

    @Test
    void lookSamStoresAnOrthogonalDirectionReusesItAtAlphaTimesGradientNormAndCountsPasses() {
        List<Recording> recorded = new ArrayList<>();
        List<LookSam<Batch>> method = new ArrayList<>();
        List<ParamVector> directions = new ArrayList<>();
        int steps = 7;
        int interval = 3;
        double alpha = 0.7;
        train(
                steps,
                batches(),
                (o, b) -> {
                    BaseOptimizer spy = new DirectionSpy(b, directions);
                    LookSam<Batch> look =
                            new LookSam<>(o, spy, rho(0.05), interval, alpha, false, root);
                    method.add(look);
                    return look;
                },
                recorded);
        Recording objective = recorded.get(0);
        // T + ceil(T / k) gradient passes.
        assertThat(objective.calls).isEqualTo(steps + (steps + interval - 1) / interval);

        ParamVector stored =
                new ParamVector(
                        method.get(0).stateTensors().entrySet().stream()
                                .filter(e -> e.getKey().startsWith("looksam.direction."))
                                .map(Map.Entry::getValue)
                                .toList());
        // The last SAM step was step 6; its plain gradient is the first pass of that step.
        ParamVector g = objective.gradients.get(objective.gradients.size() - 2);
        assertThat(stored.dot(g) / (stored.norm() * g.norm())).isCloseTo(0, within(1e-5));

        // Step 5 reused the direction: ||d - g|| = alpha ||g||.
        // Step t starts at pass t + ceil(t / k): every earlier SAM step took two passes.
        ParamVector g5 = objective.gradients.get(5 + (5 + interval - 1) / interval);
        ParamVector d5 = directions.get(5);
        ParamVector difference = d5.copy(root);
        difference.addScaled(g5, -1);
        assertThat(difference.norm()).isCloseTo(alpha * g5.norm(), within(1e-4 * g5.norm()));
    }

    @Test
    void kSamWithKEqualToTheBatchIsSam() {
        Network ksam =
                train(
                        6,
                        (o, b) -> {
                            var spec = new dev.sharpness.api.v1alpha1.KSamSpec();
                            spec.setTopK(32);
                            return new KSam<>(o, o.selection(), b, rho(0.05), spec, root);
                        });
        Network sam = train(6, (o, b) -> new Sam<>(o, b, rho(0.05), root));
        assertThat(ksam.checksum()).isEqualTo(sam.checksum());
    }

    @Test
    void kSamTrainsOnTheHighestLossSamples() {
        List<Recording> recorded = new ArrayList<>();
        train(
                1,
                batches(),
                (o, b) -> {
                    var spec = new dev.sharpness.api.v1alpha1.KSamSpec();
                    spec.setTopK(8);
                    return new KSam<>(o, o.selection(), b, rho(0.05), spec, root);
                },
                recorded);
        Recording objective = recorded.get(0);
        float[] losses = objective.lastPerSampleLosses;
        int[] batch = plan.indices(0);
        Integer[] order = new Integer[losses.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(losses[b], losses[a]));
        int[] expected = new int[8];
        for (int i = 0; i < 8; i++) {
            expected[i] = batch[order[i]];
        }
        Arrays.sort(expected);
        int[] used = objective.batchesSeen.get(0).clone();
        Arrays.sort(used);
        assertThat(used).containsExactly(expected);
        assertThat(objective.batchesSeen.get(1)).containsExactly(objective.batchesSeen.get(0));
    }

    @Test
    void sampaWithZeroRhoAndLambdaIsSgdOnTheBatchesB0B0B1B2() {
        Network sampa = train(9, (o, b) -> new Sampa<>(o, b, rho(0), 0, root));
        Batches<Batch> shifted = (t, owner) -> batches().at(Math.max(t - 1, 0), owner);
        Network sgd = train(9, shifted, (o, b) -> new Sgd<>(o, b), new ArrayList<>());
        assertThat(sampa.checksum()).isEqualTo(sgd.checksum());
    }

    @Test
    void sampaWithLambdaOneFollowsTheSameTrajectoryWhateverRho() {
        Network small = train(8, (o, b) -> new Sampa<>(o, b, rho(0.01), 1, root));
        Network large = train(8, (o, b) -> new Sampa<>(o, b, rho(0.5), 1, root));
        for (int i = 0; i < small.trainable().size(); i++) {
            assertThat(small.trainable().get(i).toFloatArray())
                    .containsExactly(large.trainable().get(i).toFloatArray());
        }
    }

    @Test
    void sampaPerturbedGradientUsesTheBatchOfTheCarriedGradientAcrossAnEpochBoundary() {
        List<Recording> recorded = new ArrayList<>();
        int steps = 2 * plan.stepsPerEpoch() + 2;
        train(steps, batches(), (o, b) -> new Sampa<>(o, b, rho(0.05), 0.2, root), recorded);
        List<int[]> seen = recorded.get(0).batchesSeen;
        assertThat(seen).hasSize(2 * steps);
        assertThat(seen.get(0)).containsExactly(plan.indices(0)); // t = 0: prev is B_0
        for (int t = 0; t < steps; t++) {
            assertThat(seen.get(2 * t + 1))
                    .as("y rank, step " + t)
                    .containsExactly(plan.indices(t));
            if (t > 0) {
                assertThat(seen.get(2 * t))
                        .as("x~ rank, step " + t + " uses the batch of gy (step " + (t - 1) + ")")
                        .containsExactly(seen.get(2 * t - 1));
            }
        }
    }

    /**
     * Records every pass: the batch's sample indices, the gradient and K-SAM's per-sample losses.
     */
    private final class Recording implements Objective<Batch> {
        final NetworkObjective inner;
        final List<int[]> batchesSeen = new ArrayList<>();
        final List<ParamVector> gradients = new ArrayList<>();
        float[] lastPerSampleLosses;
        int calls;

        Recording(NetworkObjective inner) {
            this.inner = inner;
        }

        @Override
        public ParamVector parameters() {
            return inner.parameters();
        }

        @Override
        public java.util.Optional<ParamVector> batchNormStatistics() {
            return inner.batchNormStatistics();
        }

        @Override
        public Gradient gradient(Batch batch, BatchNormMode mode, NDManager into) {
            calls++;
            batchesSeen.add(batch.indices().clone());
            Gradient g = inner.gradient(batch, mode, into);
            gradients.add(g.vector().copy(root));
            return g;
        }

        dev.sharpness.trainer.optim.SampleSelection<Batch> selection() {
            return new dev.sharpness.trainer.optim.SampleSelection<>() {
                @Override
                public SampleLosses perSampleLosses(Batch batch, NDManager scope) {
                    SampleLosses scores = inner.perSampleLosses(batch, scope);
                    lastPerSampleLosses = scores.losses();
                    return scores;
                }

                @Override
                public int size(Batch batch) {
                    return inner.size(batch);
                }

                @Override
                public Batch select(Batch batch, int[] rows, NDManager owner) {
                    return inner.select(batch, rows, owner);
                }
            };
        }
    }

    /** A base optimizer that remembers the direction of every step. */
    private final class DirectionSpy implements BaseOptimizer {
        private final BaseOptimizer inner;
        private final List<ParamVector> directions;

        DirectionSpy(BaseOptimizer inner, List<ParamVector> directions) {
            this.inner = inner;
            this.directions = directions;
        }

        @Override
        public void step(ParamVector x, ParamVector direction, double lr) {
            directions.add(direction.copy(root));
            inner.step(x, direction, lr);
        }

        @Override
        public void tentativeStep(ParamVector x, ParamVector direction, double lr) {
            inner.tentativeStep(x, direction, lr);
        }

        @Override
        public Map<String, NDArray> stateTensors() {
            return inner.stateTensors();
        }
    }
}
