package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The settings a valid job may hold that are unlikely to be meant each get one warning. */
class JobWarningsTest {
    private static final String JOB =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: warn-job}
            spec:
              model: {architecture: mlp}
              dataset:
                format: synthetic
                synthetic: {trainSamples: 128, testSamples: 32, classes: 3, imageSize: 6}
              optimizer: {method: %s, base: {learningRate: 0.05}}
              training: {epochs: 1, batchSize: 32}
            """;

    private static List<String> warnings(String method, int trainSamples, boolean serial)
            throws Exception {
        SamTrainingJob job = ManifestLoader.parse(JOB.formatted(method), "job.yaml", List.of());
        return JobWarnings.of(job, trainSamples, serial);
    }

    @Test
    void anOrdinaryJobHasNone() throws Exception {
        assertThat(warnings("SAM", 115, false)).isEmpty();
        assertThat(warnings("SAMPa", 115, true)).isEmpty();
        assertThat(warnings("SGD, rho: 0", 115, false)).isEmpty();
    }

    @Test
    void aBatchLargerThanTheTrainingSetSaysEachEpochIsOneStep() throws Exception {
        assertThat(warnings("SAM", 20, false))
                .containsExactly(
                        "spec.training.batchSize 32 is larger than the training set (20 samples"
                                + " after the validation split): each epoch is one step of all 20"
                                + " samples");
    }

    @Test
    void rhoZeroWithASamMethodSaysItTakesPlainSteps() throws Exception {
        assertThat(warnings("SAM, rho: 0", 115, false))
                .singleElement()
                .asString()
                .startsWith("spec.optimizer.rho is 0: SAM takes plain gradient steps");
    }

    @Test
    void topKLargerThanTheBatchSaysKSamIsSam() throws Exception {
        assertThat(warnings("KSAM, ksam: {topK: 33}", 115, false))
                .containsExactly(
                        "spec.optimizer.ksam.topK 33 is larger than the batch (32 samples): K-SAM"
                                + " uses the whole batch, the same as SAM");
        assertThat(warnings("KSAM, ksam: {topK: 32}", 115, false)).isEmpty();
    }

    @Test
    void serialWithoutSampaSaysItIsIgnored() throws Exception {
        assertThat(warnings("LookSAM", 115, true))
                .containsExactly("--serial applies only to SAMPa; ignored for method LookSAM");
    }
}
