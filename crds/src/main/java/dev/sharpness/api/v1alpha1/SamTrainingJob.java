package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A sharpness-aware training job: one model, one dataset, one optimizer, trained to the end by one
 * trainer pod (SGD, SAM, K-SAM, LookSAM) or a pair of them (SAMPa).
 *
 * <p>The class description is the schema's root description ({@code kubectl explain
 * samtrainingjob}). Fabric8's CRD generator 7.6 does not read {@code @JsonClassDescription}; the
 * CRD's build sets it (see {@code CustomResourceDefinitionTest}). {@code spec} and {@code status}
 * are described on their getters, where the generator reads property descriptions.
 */
@JsonClassDescription(
        "A sharpness-aware training job: one model, one dataset and one optimizer (SGD, SAM, K-SAM,"
                + " LookSAM or SAMPa), trained to the end by one trainer pod, or by a pair of pods"
                + " that exchange gradients (SAMPa). The operator creates the pods, restarts them"
                + " from checkpoints and reports progress in status.")
@Group(Constants.GROUP)
@Version(Constants.VERSION)
@Plural(Constants.PLURAL)
@ShortNames(Constants.SHORT_NAME)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Method", jsonPath = ".spec.optimizer.method", type = Type.STRING)
@AdditionalPrinterColumn(
        name = "Progress",
        jsonPath = ".status.progress.display",
        type = Type.STRING)
@AdditionalPrinterColumn(
        name = "Test-Acc",
        jsonPath = ".status.progress.testAccuracy",
        type = Type.NUMBER)
@AdditionalPrinterColumn(name = "Restarts", jsonPath = ".status.restarts", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@ValidationRule(
        value = "self.metadata.name.size() <= " + Constants.MAX_NAME_LENGTH,
        message =
                "metadata.name must be at most "
                        + Constants.MAX_NAME_LENGTH
                        + " characters: the pods are named <name>-0 and <name>-1")
@ValidationRule(
        // The length has its own rule above, with its own message.
        value = "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
        message =
                "metadata.name must be a DNS-1035 label (lower-case letters, digits and '-',"
                        + " starting with a letter, ending with a letter or digit): it names the"
                        + " pair's Service and the pods' host names")
public class SamTrainingJob extends CustomResource<SamTrainingJobSpec, SamTrainingJobStatus>
        implements Namespaced {

    @Override
    @JsonPropertyDescription(
            "What to train and how: model, dataset and optimizer are required, everything else has"
                    + " a default. Written by the user, never by the operator.")
    public SamTrainingJobSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription(
            "What the job is doing and how it went: phase, conditions, workers, progress, the last"
                    + " checkpoint and failure, and the result. Written only by the operator.")
    public SamTrainingJobStatus getStatus() {
        return super.getStatus();
    }
}
