package dev.sharpness.api.manifest;

import static dev.sharpness.api.manifest.TestManifests.MINIMAL;
import static dev.sharpness.api.manifest.TestManifests.parse;
import static dev.sharpness.api.manifest.TestManifests.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.BaseOptimizerSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import org.junit.jupiter.api.Test;

class ManifestOverridesTest {

    @Test
    void setsANestedInteger() {
        SamTrainingJob job =
                parse(MINIMAL + "  training: {epochs: 200, seed: 3}\n", "spec.training.epochs=1");

        assertThat(job.getSpec().getTraining().getEpochs()).isEqualTo(1);
        assertThat(job.getSpec().getTraining().getSeed()).isEqualTo(3);
    }

    @Test
    void setsAnEnumByItsWireName() {
        SamTrainingJob job =
                parse(MINIMAL, "spec.optimizer.method=SAMPa", "spec.optimizer.base.type=AdamW");

        assertThat(job.getSpec().getOptimizer().getMethod()).isEqualTo(OptimizerSpec.Method.SAMPA);
        assertThat(job.getSpec().getOptimizer().getBase().getType())
                .isEqualTo(BaseOptimizerSpec.Type.ADAMW);
    }

    @Test
    void setsAListFromFlowYaml() {
        SamTrainingJob job = parse(MINIMAL, "spec.optimizer.base.betas=[0.9, 0.99]");

        assertThat(job.getSpec().getOptimizer().getBase().getBetas()).containsExactly(0.9, 0.99);
    }

    @Test
    void setsAListElementByIndex() {
        SamTrainingJob job =
                parse(
                        MINIMAL.replace(
                                "{method: SAM}", "{method: SAM, base: {betas: [0.9, 0.999]}}"),
                        "spec.optimizer.base.betas[1]=0.95");

        assertThat(job.getSpec().getOptimizer().getBase().getBetas()).containsExactly(0.9, 0.95);
    }

    @Test
    void indexesTheDocumentsListNotTheDefault() {
        assertThat(rejection(MINIMAL, "spec.optimizer.base.betas[1]=0.95").problems())
                .containsExactly(
                        "spec.optimizer.base.betas[1]: expected an index from 0 to 0 (the"
                                + " document's list has 0 items; 0 appends), got 1 (from --set"
                                + " spec.optimizer.base.betas[1]=0.95)");
    }

    @Test
    void createsMissingSections() {
        SamTrainingJob job =
                parse(
                        MINIMAL,
                        "spec.checkpoint.path=/ckpt",
                        "spec.optimizer.schedule.milestones[0]=30");

        assertThat(job.getSpec().getCheckpoint().getPath()).isEqualTo("/ckpt");
        assertThat(job.getSpec().getCheckpoint().getKeep()).isEqualTo(3);
        assertThat(job.getSpec().getOptimizer().getSchedule().getMilestones()).containsExactly(30);
    }

    @Test
    void laterOverridesWinAndNullRemovesAField() {
        SamTrainingJob job =
                parse(
                        MINIMAL + "  training: {maxSteps: 100}\n",
                        "spec.training.epochs=5",
                        "spec.training.epochs=6",
                        "spec.training.maxSteps=null");

        assertThat(job.getSpec().getTraining().getEpochs()).isEqualTo(6);
        assertThat(job.getSpec().getTraining().getMaxSteps()).isNull();
    }

    @Test
    void unknownPathNamesThePathAndTheSet() {
        assertThat(rejection(MINIMAL, "spec.training.epoch=3").problems())
                .containsExactly(
                        "spec.training.epoch: unknown field; expected one of [batchSize,"
                                + " earlyStopping, epochs, labelSmoothing, logEverySteps, maxSteps,"
                                + " seed] (from --set"
                                + " spec.training.epoch=3)");
        assertThat(rejection(MINIMAL, "spec.trainnig.epochs=3").problems())
                .containsExactly(
                        "spec.trainnig: unknown field; expected one of "
                                + "[activeDeadlineSeconds, checkpoint, communication, dataset, failurePolicy, model,"
                                + " optimizer, progressDeadlineSeconds, scheduling, suspend, training,"
                                + " ttlSecondsAfterFinished, worker] (from --set spec.trainnig.epochs=3)");
    }

    @Test
    void valueOfTheWrongTypeNamesTheSet() {
        assertThat(rejection(MINIMAL, "spec.training.epochs=ten").problems())
                .containsExactly(
                        "spec.training.epochs: expected an integer, got \"ten\" (from --set"
                                + " spec.training.epochs=ten)");
        assertThat(rejection(MINIMAL, "spec.optimizer.method=ADAM").problems())
                .containsExactly(
                        "spec.optimizer.method: expected one of [SGD, SAM, KSAM, LookSAM, SAMPa],"
                                + " got \"ADAM\" (from --set spec.optimizer.method=ADAM)");
    }

    @Test
    void pathThroughAScalarIsRejected() {
        assertThat(rejection(MINIMAL, "spec.optimizer.method.name=SAM").problems())
                .containsExactly(
                        "spec.optimizer.method: expected a mapping, got \"SAM\" (from --set"
                                + " spec.optimizer.method.name=SAM)");
        String withBetas =
                MINIMAL.replace("{method: SAM}", "{method: SAM, base: {betas: [0.9, 0.999]}}");
        assertThat(rejection(withBetas, "spec.optimizer.base.betas[3]=0.5").problems())
                .containsExactly(
                        "spec.optimizer.base.betas[3]: expected an index from 0 to 2 (the"
                                + " document's list has 2 items; 2 appends), got 3 (from --set"
                                + " spec.optimizer.base.betas[3]=0.5)");
    }

    @Test
    void malformedOverrideSaysTheForm() {
        String form =
                "--set: expected PATH=VALUE with PATH dotted from the document root, e.g."
                        + " spec.training.epochs=1, got ";

        assertThat(rejection(MINIMAL, "spec.training.epochs").problems())
                .containsExactly(form + "\"spec.training.epochs\"");
        assertThat(rejection(MINIMAL, "=3").problems()).containsExactly(form + "\"=3\"");
        assertThat(rejection(MINIMAL, "spec..epochs=3").problems())
                .containsExactly(
                        "--set spec..epochs=3: expected a PATH of field names separated by dots,"
                                + " each optionally followed by [index], got \"spec..epochs\"");
    }

    @Test
    void valueThatIsNotYamlIsRejected() {
        assertThat(rejection(MINIMAL, "spec.optimizer.base.betas=[0.9,").problems())
                .singleElement()
                .asString()
                .startsWith(
                        "--set spec.optimizer.base.betas=[0.9,: expected a YAML value after '=',"
                                + " got \"[0.9,\" (");
    }
}
