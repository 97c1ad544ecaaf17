package dev.sharpness.api.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a refused resume names: the training-defining fields that differ, and nothing else. */
class TrainingIdentityTest {
    private static final String OLDER_LOOKSAM_HASH =
            "91207c607d319a6dc68908ff81bfd078f7e7a5cb497a0c808acb4c17b04e382e";

    private static final String JOB =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: identity}
            spec:
              model: {architecture: mlp}
              dataset: {format: synthetic}
              optimizer: {method: SAM, rho: 0.05}
              training: {epochs: 3}
            """;

    private static SamTrainingJobSpec spec(String... overrides) {
        return ManifestLoader.parse(JOB, "job.yaml", List.of(overrides)).getSpec();
    }

    @Test
    void namesEachChangedFieldWithBothValues() {
        SamTrainingJobSpec before = spec();
        SamTrainingJobSpec after =
                spec(
                        "spec.optimizer.rho=0.1",
                        "spec.optimizer.sharpnessFrom.epoch=2",
                        "spec.communication.precision=bf16",
                        "spec.training.maxSteps=7",
                        "spec.checkpoint.keep=9");
        assertThat(TrainingIdentity.differences(before, after))
                .containsExactly(
                        "spec.optimizer.rho: 0.05 -> 0.1",
                        "spec.optimizer.sharpnessFrom: absent -> {\"epoch\":2}",
                        "spec.communication.precision: \"fp32\" -> \"bf16\"");
        assertThat(TrainingIdentity.hash(after)).isNotEqualTo(TrainingIdentity.hash(before));
    }

    @Test
    void fieldsAddedLaterLeaveTheIdentityOfAnOlderJobAsItWas() {
        // Computed by the trainer before sharpnessFrom and lookSam.layerwise existed: a job that
        // uses neither keeps its checkpoints across the upgrade.
        assertThat(
                        TrainingIdentity.hash(
                                spec(
                                        "spec.optimizer.method=LookSAM",
                                        "spec.optimizer.lookSam.interval=3")))
                .isEqualTo(OLDER_LOOKSAM_HASH);
    }

    @Test
    void fieldsOutsideTheIdentityChangeNothing() {
        SamTrainingJobSpec before = spec();
        SamTrainingJobSpec after =
                spec(
                        "spec.training.maxSteps=7",
                        "spec.training.logEverySteps=1",
                        "spec.checkpoint.keep=9",
                        // The pair's parameters are the same bit for bit over any number.
                        "spec.communication.streams=4");
        assertThat(TrainingIdentity.differences(before, after)).isEmpty();
        assertThat(TrainingIdentity.hash(after)).isEqualTo(TrainingIdentity.hash(before));
    }

    @Test
    void moreEarlyStoppingPatienceContinuesTheRunAnotherMonitorDoesNot() {
        SamTrainingJobSpec before = spec("spec.training.earlyStopping.patience=2");
        assertThat(TrainingIdentity.hash(before)).isEqualTo(TrainingIdentity.hash(spec()));
        SamTrainingJobSpec patient =
                spec(
                        "spec.training.earlyStopping.patience=9",
                        "spec.training.earlyStopping.minDelta=0.01");
        assertThat(TrainingIdentity.differences(before, patient)).isEmpty();
        SamTrainingJobSpec byLoss = spec("spec.training.earlyStopping.monitor=validationLoss");
        assertThat(TrainingIdentity.differences(before, byLoss))
                .containsExactly(
                        "spec.training.earlyStopping: absent -> {\"monitor\":\"validationLoss\"}");
    }
}
