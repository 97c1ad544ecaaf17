package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.data.BatchAssembler;
import dev.sharpness.trainer.data.DatasetLoader;
import dev.sharpness.trainer.data.TrainingData;
import dev.sharpness.trainer.optim.BatchNormMode;
import dev.sharpness.trainer.optim.Gradient;
import dev.sharpness.trainer.optim.Objective;
import dev.sharpness.trainer.optim.ParamVector;
import dev.sharpness.trainer.optim.Perturbation;
import dev.sharpness.trainer.optim.Sam;
import dev.sharpness.trainer.optim.SgdMomentum;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ALGORITHMS.md properties 1 and 2 on a small CNN with BatchNorm, and SAM learning. */
class SamOnNetworkTest {
    @TempDir Path dir;

    @Test
    void samWithZeroRhoEqualsSgdIncludingBatchNormStatistics() {
        RunSummary sam = TinyJobs.run(dir.resolve("sam"), false, "spec.optimizer.rho=0");
        RunSummary sgd = TinyJobs.run(dir.resolve("sgd"), false, "spec.optimizer.method=SGD");
        assertThat(sam.parameterChecksum()).isEqualTo(sgd.parameterChecksum());
        assertThat(sam.sequentialGradientComputations())
                .isEqualTo(2 * sgd.sequentialGradientComputations());
    }

    @Test
    void perturbedPassLeavesBatchNormStatisticsUnchangedAndStepStartsFromTheRestoredX() {
        SamTrainingJob job = TinyJobs.job();
        TrainingData data = DatasetLoader.load(job.getSpec().getDataset(), dir, 7);
        try (NDManager root = NDManager.newBaseManager();
                Network network = Network.create(ModelSpec.Architecture.CNN, 1, 8, 4, 7, root);
                NDManager scope = root.newSubManager()) {
            ParamVector statistics = network.batchNormBuffers().orElseThrow();
            Batch batch =
                    new BatchAssembler(data.train(), false, 7)
                            .assemble(scope, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 0, 0);
            Recording objective =
                    new Recording(new NetworkObjective(network, 0, 4), statistics, scope);
            ParamVector before = network.trainable().copy(scope);
            SgdMomentum base = new SgdMomentum(network.trainable(), scope, 0.9, 5e-4, false);

            new Sam<>(objective, base, new Perturbation(0.05, false), scope)
                    .step(0, (t, m) -> batch, 0.1, scope);

            assertThat(objective.statisticsChangedBy[0])
                    .as("pass 1 updates running stats")
                    .isTrue();
            assertThat(objective.statisticsChangedBy[1]).as("pass 2 leaves them").isFalse();
            // x after the step = base_step(x before, g_s), computed independently.
            SgdMomentum reference = new SgdMomentum(before, scope, 0.9, 5e-4, false);
            reference.step(before, objective.lastGradient, 0.1);
            for (int i = 0; i < before.size(); i++) {
                assertThat(network.trainable().get(i).toFloatArray())
                        .containsExactly(before.get(i).toFloatArray());
            }
        }
    }

    @Test
    void samLearnsTheSyntheticTask() {
        RunSummary sam = TinyJobs.run(dir.resolve("learn"), false, "spec.training.epochs=4");
        assertThat(sam.history().get(0).trainLoss())
                .isGreaterThan(sam.history().get(3).trainLoss());
        assertThat(sam.testAccuracy()).isGreaterThan(0.6); // chance is 0.25
    }

    /** Wraps an objective and records, per pass, whether BatchNorm statistics moved. */
    private static final class Recording implements Objective<Batch> {
        final Objective<Batch> inner;
        final ParamVector statistics;
        final NDManager scope;
        final boolean[] statisticsChangedBy = new boolean[2];
        ParamVector lastGradient;
        int pass;

        Recording(Objective<Batch> inner, ParamVector statistics, NDManager scope) {
            this.inner = inner;
            this.statistics = statistics;
            this.scope = scope;
        }

        @Override
        public ParamVector parameters() {
            return inner.parameters();
        }

        @Override
        public Gradient gradient(Batch batch, BatchNormMode mode, NDManager into) {
            ParamVector before = statistics.copy(scope);
            Gradient g = inner.gradient(batch, mode, into);
            boolean changed = false;
            for (int i = 0; i < before.size(); i++) {
                changed |=
                        !java.util.Arrays.equals(
                                before.get(i).toFloatArray(), statistics.get(i).toFloatArray());
            }
            statisticsChangedBy[pass++] = changed;
            lastGradient = g.vector();
            return g;
        }
    }
}
