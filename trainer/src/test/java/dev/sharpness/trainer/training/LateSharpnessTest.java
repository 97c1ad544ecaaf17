package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.data.BatchAssembler;
import dev.sharpness.trainer.data.BatchPlan;
import dev.sharpness.trainer.data.DatasetLoader;
import dev.sharpness.trainer.data.TrainingData;
import dev.sharpness.trainer.optim.Batches;
import dev.sharpness.trainer.optim.Perturbation;
import dev.sharpness.trainer.optim.Sampa;
import dev.sharpness.trainer.optim.Sgd;
import dev.sharpness.trainer.optim.SgdMomentum;
import dev.sharpness.trainer.optim.TrainingMethod;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code spec.optimizer.sharpnessFrom}: the base optimizer alone until the switch, then the method
 * as if the run started there; its cost counted as it ran, and a resume across the switch exact.
 * The tiny job has 3 epochs of 6 steps.
 */
class LateSharpnessTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"SAM", "KSAM", "LookSAM"})
    void beforeTheSwitchTheRunIsExactlyTheBaseOptimizers(String method) {
        RunSummary sgd =
                TinyJobs.run(
                        dir.resolve("sgd"),
                        false,
                        "spec.optimizer.method=SGD",
                        "spec.training.maxSteps=12");
        RunSummary late =
                TinyJobs.run(
                        dir.resolve("late"),
                        false,
                        "spec.optimizer.method=" + method,
                        "spec.optimizer.sharpnessFrom.epoch=3",
                        "spec.training.maxSteps=12");
        assertThat(late.parameterChecksum()).isEqualTo(sgd.parameterChecksum());
        assertThat(late.sequentialGradientComputations()).isEqualTo(12);

        RunSummary switched =
                TinyJobs.run(
                        dir.resolve("switched"),
                        false,
                        "spec.optimizer.method=" + method,
                        "spec.optimizer.sharpnessFrom.epoch=2",
                        "spec.training.maxSteps=12");
        assertThat(switched.parameterChecksum()).isNotEqualTo(sgd.parameterChecksum());
    }

    @ParameterizedTest(name = "{0} from {1}={2}: {3} gradients")
    @CsvSource({
        "SAM, epoch, 1, 36", // from the start: the method alone
        "SAM, epoch, 2, 30", // 6 SGD steps, then 12 SAM steps of 2
        "SAM, fraction, 0.5, 27", // 9 and 9
        "LookSAM, epoch, 2, 21", // SAM steps at 6, 11 and 16: the switch is LookSAM's step 0
        "SAMPa, epoch, 2, 18", // half batches on each worker, then SAMPa: one per step throughout
    })
    void countsTheGradientsThatRan(String method, String field, String value, long expected) {
        RunSummary summary =
                TinyJobs.run(
                        dir,
                        false,
                        "spec.optimizer.method=" + method,
                        "spec.optimizer.sharpnessFrom." + field + "=" + value);
        assertThat(summary.steps()).isEqualTo(18);
        assertThat(summary.sequentialGradientComputations()).isEqualTo(expected);
    }

    @Test
    void fromTheFirstEpochIsTheMethodItself() {
        RunSummary plain =
                TinyJobs.run(dir.resolve("plain"), false, "spec.optimizer.method=LookSAM");
        RunSummary fromOne =
                TinyJobs.run(
                        dir.resolve("one"),
                        false,
                        "spec.optimizer.method=LookSAM",
                        "spec.optimizer.sharpnessFrom.epoch=1");
        assertThat(fromOne.parameterChecksum()).isEqualTo(plain.parameterChecksum());
    }

    @ParameterizedTest
    @ValueSource(strings = {"LookSAM", "SAMPa"})
    void aRunResumedOnBothSidesOfTheSwitchEqualsTheUninterruptedOne(String method) {
        String[] job = {"spec.optimizer.method=" + method, "spec.optimizer.sharpnessFrom.epoch=2"};
        RunSummary straight = TinyJobs.run(dir.resolve("straight"), false, job);
        Path out = dir.resolve("interrupted");
        TinyJobs.run(out, false, with(job, "spec.training.maxSteps=4"));
        TinyJobs.run(out, true, with(job, "spec.training.maxSteps=9"));
        RunSummary resumed = TinyJobs.run(out, true, job);
        assertThat(resumed.parameterChecksum()).isEqualTo(straight.parameterChecksum());
        assertThat(resumed.sequentialGradientComputations())
                .isEqualTo(straight.sequentialGradientComputations());
    }

    private static String[] with(String[] job, String extra) {
        String[] all = java.util.Arrays.copyOf(job, job.length + 1);
        all[job.length] = extra;
        return all;
    }

    @Test
    void aSampaPairSplittingABatchStepsAlongTheWholeBatchsGradient() {
        // The MLP has no BatchNorm, so the halves' mean is the whole batch's mean up to rounding.
        SamTrainingJob job = TinyJobs.job("spec.model.architecture=mlp");
        TrainingData data = DatasetLoader.load(job.getSpec().getDataset(), dir, 7);
        BatchPlan plan = new BatchPlan(7, data.train().size(), 32);
        BatchAssembler assembler = new BatchAssembler(data.train(), false, 7);
        Batches<Batch> batches =
                (t, owner) -> assembler.assemble(owner, plan.indices(t), plan.epochOf(t), t);
        try (NDManager root = NDManager.newBaseManager()) {
            Network split = Network.create(ModelSpec.Architecture.MLP, 1, 8, 4, 7, root);
            Network whole = Network.create(ModelSpec.Architecture.MLP, 1, 8, 4, 7, root);
            NetworkObjective objective = new NetworkObjective(split, 0, 4);
            TrainingMethod<Batch> halves =
                    new Sampa<>(
                                    objective,
                                    base(split, root),
                                    new Perturbation(0.05, false),
                                    0.2,
                                    root)
                            .dataParallel(objective);
            TrainingMethod<Batch> sgd =
                    new Sgd<>(new NetworkObjective(whole, 0, 4), base(whole, root));
            for (int t = 0; t < 3; t++) {
                try (NDManager scope = root.newSubManager()) {
                    halves.step(t, batches, 0.05, scope);
                    sgd.step(t, batches, 0.05, scope);
                }
            }
            for (int i = 0; i < split.trainable().size(); i++) {
                float[] a = split.trainable().get(i).toFloatArray();
                float[] b = whole.trainable().get(i).toFloatArray();
                assertThat(a).as("tensor %d", i).containsExactly(b, within(2e-6f));
            }
            assertThat(split.checksum()).as("but not bit for bit").isNotEqualTo(whole.checksum());
        }
    }

    private static SgdMomentum base(Network network, NDManager root) {
        return new SgdMomentum(network.trainable(), root, 0.9, 5e-4, false);
    }
}
