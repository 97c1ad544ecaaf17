package dev.sharpness.api.manifest;

import static dev.sharpness.api.manifest.TestManifests.MINIMAL;
import static dev.sharpness.api.manifest.TestManifests.rejection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestErrorsTest {

    @Test
    void unknownMethodListsTheAcceptedWireNames() {
        ManifestException e = rejection(MINIMAL.replace("method: SAM", "method: ADAM"));

        assertThat(e.problems())
                .containsExactly(
                        "spec.optimizer.method: expected one of [SGD, SAM, KSAM, LookSAM, SAMPa],"
                                + " got \"ADAM\"");
    }

    @Test
    void enumJavaNamesAndIndicesAreNotWireNames() {
        assertThat(rejection(MINIMAL.replace("method: SAM", "method: SAMPA")).problems())
                .containsExactly(
                        "spec.optimizer.method: expected one of [SGD, SAM, KSAM, LookSAM, SAMPa],"
                                + " got \"SAMPA\"");
        assertThat(rejection(MINIMAL.replace("method: SAM", "method: 1")).problems())
                .containsExactly(
                        "spec.optimizer.method: expected one of [SGD, SAM, KSAM, LookSAM, SAMPa],"
                                + " got 1");
    }

    @Test
    void valuesOutsideTheSchemaBoundsAreRejected() {
        ManifestException e =
                rejection(
                        MINIMAL.replace("method: SAM", "method: SAM, rho: -1")
                                .replace("path: /data/cifar10", "validationFraction: 0.9"));

        assertThat(e.problems())
                .containsExactly(
                        "spec.dataset.validationFraction: expected at most 0.5, got 0.9",
                        "spec.optimizer.rho: expected at least 0, got -1");
    }

    @Test
    void exclusiveBoundsExcludeTheBound() {
        assertThat(rejection(MINIMAL, "spec.optimizer.base.learningRate=0").problems())
                .containsExactly(
                        "spec.optimizer.base.learningRate: expected more than 0, got 0 (from --set"
                                + " spec.optimizer.base.learningRate=0)");
        assertThat(rejection(MINIMAL, "spec.training.labelSmoothing=1").problems())
                .containsExactly(
                        "spec.training.labelSmoothing: expected less than 1, got 1 (from --set"
                                + " spec.training.labelSmoothing=1)");
    }

    @Test
    void integerBoundsAreShownAsIntegers() {
        assertThat(rejection(MINIMAL, "spec.training.epochs=0").problems())
                .containsExactly(
                        "spec.training.epochs: expected at least 1, got 0 (from --set"
                                + " spec.training.epochs=0)");
    }

    @Test
    void listSizeAndAdamWBetasAreChecked() {
        assertThat(rejection(MINIMAL, "spec.optimizer.base.betas=[0.9, 0.99, 0.999]").problems())
                .containsExactly(
                        "spec.optimizer.base.betas: expected exactly 2 items, got 3 (from --set"
                                + " spec.optimizer.base.betas=[0.9, 0.99, 0.999])");
        assertThat(rejection(MINIMAL, "spec.optimizer.base.betas=[-0.1, 1]").problems())
                .containsExactly(
                        "spec.optimizer.base.betas: each beta must be at least 0 and less than 1"
                                + " (from --set spec.optimizer.base.betas=[-0.1, 1])");
    }

    @Test
    void stringsAreNotCoercedToNumbers() {
        String epochs = MINIMAL + "  training: {epochs: %s}\n";

        assertThat(rejection(epochs.formatted("ten")).problems())
                .containsExactly("spec.training.epochs: expected an integer, got \"ten\"");
        assertThat(rejection(epochs.formatted("\"10\"")).problems())
                .containsExactly("spec.training.epochs: expected an integer, got \"10\"");
    }

    @Test
    void numbersAndBooleansAreNotCoercedToEachOtherOrToStrings() {
        assertThat(rejection(MINIMAL.replace("method: SAM", "method: SAM, adaptive: 1")).problems())
                .containsExactly("spec.optimizer.adaptive: expected true or false, got 1");
        assertThat(rejection(MINIMAL.replace("path: /data/cifar10", "path: 10")).problems())
                .containsExactly("spec.dataset.path: expected a string, got 10");
    }

    @Test
    void floatIsNotAcceptedForAnInteger() {
        assertThat(rejection(MINIMAL + "  training: {epochs: 1.5}\n").problems())
                .containsExactly("spec.training.epochs: expected an integer, got 1.5");
    }

    @Test
    void integerTooLargeForItsFieldNamesTheFieldsOwnRange() {
        assertThat(rejection(MINIMAL + "  training: {epochs: 3000000000}\n").problems())
                .containsExactly(
                        "spec.training.epochs: expected an integer from 1 to 100000, got 3000000000");
        assertThat(rejection(MINIMAL + "  training: {epochs: 200000}\n").problems())
                .containsExactly("spec.training.epochs: expected at most 100000, got 200000");
    }

    @Test
    void scalarWhereASectionBelongsIsRejected() {
        assertThat(rejection(MINIMAL.replace("{architecture: resnet20}", "resnet20")).problems())
                .containsExactly("spec.model: expected a mapping, got \"resnet20\"");
        assertThat(rejection(MINIMAL, "spec.optimizer.base.betas=0.9").problems())
                .containsExactly(
                        "spec.optimizer.base.betas: expected a list, got 0.9 (from --set"
                                + " spec.optimizer.base.betas=0.9)");
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        ManifestException e =
                rejection(
                        MINIMAL.replace("  model: {architecture: resnet20}\n", "")
                                .replace("{method: SAM}", "{rho: 0.1}"));

        assertThat(e.problems())
                .containsExactly("spec.model: required", "spec.optimizer.method: required");
    }

    @Test
    void missingSpecIsNamed() {
        String noSpec = MINIMAL.substring(0, MINIMAL.indexOf("spec:"));

        assertThat(rejection(noSpec).problems()).containsExactly("spec: required");
    }

    @Test
    void unknownTopLevelFieldListsTheKnownOnes() {
        assertThat(rejection(MINIMAL + "specs: {}\n").problems())
                .containsExactly(
                        "specs: unknown field; expected one of [apiVersion, kind, metadata, spec,"
                                + " status]");
    }

    @Test
    void unknownNestedFieldListsTheKnownOnesSorted() {
        assertThat(rejection(MINIMAL + "  training: {epoch: 3}\n").problems())
                .containsExactly(
                        "spec.training.epoch: unknown field; expected one of [batchSize,"
                                + " earlyStopping, epochs, labelSmoothing, logEverySteps, maxSteps,"
                                + " seed]");
    }

    @Test
    void misspelledSectionIsReportedWithTheSectionItLeavesMissing() {
        ManifestException e =
                rejection(
                        MINIMAL.replace(
                                "model: {architecture: resnet20}",
                                "modle: {architecture: resnet20}"));

        assertThat(e.problems())
                .containsExactly(
                        "spec.modle: unknown field; expected one of "
                                + "[activeDeadlineSeconds, checkpoint, communication, dataset, failurePolicy, model,"
                                + " optimizer, progressDeadlineSeconds, scheduling, suspend, training,"
                                + " ttlSecondsAfterFinished, worker]",
                        "spec.model: required");
    }

    @Test
    void yamlSyntaxErrorGivesLineAndColumn() {
        ManifestException e = rejection(MINIMAL + "  training: {epochs: 3\n  checkpoint: {}\n");

        assertThat(e.source()).isEqualTo("job.yaml:9:13");
        assertThat(e.getMessage())
                .isEqualTo(
                        "job.yaml:9:13: not valid YAML: expected ',' or '}', but got : (while"
                                + " parsing a flow mapping that starts at line 8)");
    }

    @Test
    void duplicateKeyIsNotValidYaml() {
        ManifestException e = rejection(MINIMAL + "  model: {architecture: cnn}\n");

        assertThat(e.getMessage())
                .startsWith("job.yaml:8:")
                .endsWith("not valid YAML: duplicate key \"model\"");
    }

    @Test
    void onlyOneDocumentIsAccepted() {
        ManifestException e = rejection(MINIMAL + "---\n" + MINIMAL);

        assertThat(e.getMessage())
                .isEqualTo(
                        "job.yaml:9: expected one YAML document, got a second one (the trainer runs"
                                + " one job per manifest)");
    }

    @Test
    void emptyDocumentAndNonMappingAreRejected() {
        assertThat(rejection("# nothing\n").getMessage())
                .isEqualTo("job.yaml: expected a SamTrainingJob, got an empty document");
        assertThat(rejection("- spec\n").getMessage())
                .isEqualTo(
                        "job.yaml: expected a mapping with apiVersion, kind, metadata and spec, got"
                                + " a list");
    }

    @Test
    void apiVersionAndKindMustBeThoseOfSamTrainingJob() {
        ManifestException e =
                rejection(
                        MINIMAL.replace("sharpness.dev/v1alpha1", "batch/v1")
                                .replace("kind: SamTrainingJob", "kind: Job"));

        assertThat(e.problems())
                .containsExactly(
                        "apiVersion: expected sharpness.dev/v1alpha1, got \"batch/v1\"",
                        "kind: expected SamTrainingJob, got \"Job\"");
    }

    @Test
    void apiVersionAndKindAreRequired() {
        ManifestException e =
                rejection(
                        MINIMAL.replace("apiVersion: sharpness.dev/v1alpha1\n", "")
                                .replace("kind: SamTrainingJob\n", ""));

        assertThat(e.problems())
                .containsExactly(
                        "apiVersion: required (sharpness.dev/v1alpha1)",
                        "kind: required (SamTrainingJob)");
    }

    @Test
    void nameMustBeAShortDns1035Label() {
        assertThat(rejection(MINIMAL.replace("name: demo", "name: Demo_1")).problems())
                .containsExactly(
                        "metadata.name must be a DNS-1035 label (lower-case letters, digits and"
                                + " '-', starting with a letter, ending with a letter or digit): it"
                                + " names the pair's Service and the pods' host names");
        assertThat(rejection(MINIMAL.replace("name: demo", "name: 1demo")).problems())
                .singleElement()
                .asString()
                .startsWith("metadata.name must be a DNS-1035 label");
        assertThat(rejection(MINIMAL.replace("name: demo", "name: " + "a".repeat(62))).problems())
                .containsExactly(
                        "metadata.name must be at most 61 characters: the pods are named <name>-0"
                                + " and <name>-1");
        assertThat(rejection(MINIMAL.replace("{name: demo}", "{namespace: a}")).problems())
                .containsExactly("metadata.name: required");
    }

    @Test
    void everyProblemIsReportedTogetherOnePerLine() {
        ManifestException e =
                rejection(
                        MINIMAL.replace("name: demo", "name: Demo")
                                        .replace("{method: SAM}", "{method: SAM, rho: -1}")
                                        .replace("path: /data/cifar10", "validationFraction: 0.9")
                                + "  training: {epoch: 3}\n");

        assertThat(e.problems())
                .containsExactly(
                        "spec.training.epoch: unknown field; expected one of [batchSize,"
                                + " earlyStopping, epochs, labelSmoothing, logEverySteps, maxSteps,"
                                + " seed]",
                        "metadata.name must be a DNS-1035 label (lower-case letters, digits and"
                                + " '-', starting with a letter, ending with a letter or digit): it"
                                + " names the pair's Service and the pods' host names",
                        "spec.dataset.validationFraction: expected at most 0.5, got 0.9",
                        "spec.optimizer.rho: expected at least 0, got -1");
        assertThat(e.getMessage().lines())
                .hasSize(4)
                .allMatch(line -> line.startsWith("job.yaml: "))
                .contains("job.yaml: spec.optimizer.rho: expected at least 0, got -1");
    }

    @Test
    void missingFileIsNamed() {
        Path missing = Path.of("no-such-dir", "job.yaml");

        assertThatThrownBy(() -> ManifestLoader.load(missing, List.of()))
                .isInstanceOf(ManifestException.class)
                .hasMessage(missing + ": cannot read the file: no such file");
    }
}
