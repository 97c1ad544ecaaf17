package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.LookSamSpec;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.data.BatchAssembler;
import dev.sharpness.trainer.data.BatchPlan;
import dev.sharpness.trainer.data.DatasetLoader;
import dev.sharpness.trainer.data.TrainingData;
import dev.sharpness.trainer.optim.BaseOptimizer;
import dev.sharpness.trainer.optim.BatchNormMode;
import dev.sharpness.trainer.optim.Batches;
import dev.sharpness.trainer.optim.LookSam;
import dev.sharpness.trainer.optim.Optimizers;
import dev.sharpness.trainer.optim.ParamVector;
import dev.sharpness.trainer.optim.Perturbation;
import dev.sharpness.trainer.optim.Sam;
import dev.sharpness.trainer.optim.SgdMomentum;
import dev.sharpness.trainer.optim.TrainingMethod;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Look-LayerSAM on the tiny CNN (several tensors, BatchNorm included): each tensor's perturbation
 * is rho times its own norm, with k = 1 it is SAM with that perturbation, and the API option
 * reaches the method.
 */
class LookLayerSamTest {
    private static final int CLASSES = 4;
    private static final double RHO = 0.02;
    @TempDir Path dir;
    private NDManager root;
    private BatchPlan plan;
    private BatchAssembler assembler;

    @BeforeEach
    void open() {
        root = NDManager.newBaseManager();
        TrainingData data = DatasetLoader.load(TinyJobs.job().getSpec().getDataset(), dir, 7);
        plan = new BatchPlan(7, data.train().size(), 32);
        assembler = new BatchAssembler(data.train(), false, 7);
    }

    @AfterEach
    void close() {
        root.close();
    }

    private Batches<Batch> batches() {
        return (t, owner) -> assembler.assemble(owner, plan.indices(t), plan.epochOf(t), t);
    }

    private Network network() {
        return Network.create(ModelSpec.Architecture.CNN, 1, 8, CLASSES, 7, root);
    }

    private Network train(
            int steps, BiFunction<NetworkObjective, BaseOptimizer, TrainingMethod<Batch>> method) {
        Network network = network();
        NetworkObjective objective = new NetworkObjective(network, 0, CLASSES);
        TrainingMethod<Batch> m =
                method.apply(
                        objective, new SgdMomentum(network.trainable(), root, 0.9, 5e-4, false));
        for (int t = 0; t < steps; t++) {
            try (NDManager scope = root.newSubManager()) {
                m.step(t, batches(), 0.05, scope);
            }
        }
        return network;
    }

    @Test
    void eachTensorIsPerturbedAlongItsGradientByRhoTimesItsOwnNorm() {
        // A few SGD-like steps first, so that biases and BatchNorm shifts are no longer zero.
        Network network = train(3, (o, b) -> new LookSam<>(o, b, rho(), 5, 0.7, false, root));
        NetworkObjective objective = new NetworkObjective(network, 0, CLASSES);
        try (NDManager scope = root.newSubManager()) {
            ParamVector x = network.trainable();
            ParamVector g =
                    objective
                            .gradient(batches().at(3, scope), BatchNormMode.FREEZE, scope)
                            .vector();
            ParamVector eps = Perturbation.layerwise(RHO).of(g, x, scope);
            assertThat(x.size()).isGreaterThan(4);
            for (int j = 0; j < x.size(); j++) {
                double xj = single(x, j).norm();
                double gj = single(g, j).norm();
                double epsj = single(eps, j).norm();
                assertThat(xj).as("tensor %d", j).isPositive();
                assertThat(epsj).as("||eps_%d||", j).isCloseTo(RHO * xj, within(RHO * xj * 1e-5));
                assertThat(single(eps, j).dot(single(g, j)))
                        .as("eps_%d is along g_%d", j, j)
                        .isCloseTo(epsj * gj, within(epsj * gj * 1e-5));
            }
        }
    }

    @Test
    void lookLayerSamWithIntervalOneIsSamWithTheLayerwisePerturbation() {
        Network look = train(8, (o, b) -> new LookSam<>(o, b, rho(), 1, 0.7, false, root));
        Network sam = train(8, (o, b) -> new Sam<>(o, b, rho(), root));
        assertThat(look.checksum()).isEqualTo(sam.checksum());
        Network global = train(8, (o, b) -> new Sam<>(o, b, new Perturbation(RHO, false), root));
        assertThat(global.checksum()).isNotEqualTo(sam.checksum());
    }

    @Test
    void theApiOptionSelectsTheLayerwisePerturbation() {
        OptimizerSpec spec = TinyJobs.job().getSpec().getOptimizer();
        spec.setMethod(OptimizerSpec.Method.LOOKSAM);
        spec.setRho(RHO);
        spec.setLookSam(new LookSamSpec());
        spec.getLookSam().setInterval(2);
        spec.getLookSam().setLayerwise(true);
        Network viaSpec = train(6, (o, b) -> Optimizers.method(spec, o, root));
        Network direct =
                train(
                        6,
                        (o, b) ->
                                new LookSam<>(
                                        o,
                                        Optimizers.base(spec.getBase(), o.parameters(), root),
                                        rho(),
                                        2,
                                        0.7,
                                        false,
                                        root));
        spec.getLookSam().setLayerwise(false);
        Network plain = train(6, (o, b) -> Optimizers.method(spec, o, root));
        assertThat(viaSpec.checksum()).isEqualTo(direct.checksum());
        assertThat(plain.checksum()).isNotEqualTo(viaSpec.checksum());
    }

    private static Perturbation rho() {
        return Perturbation.layerwise(RHO);
    }

    private static ParamVector single(ParamVector v, int j) {
        return new ParamVector(List.of(v.get(j)));
    }
}
