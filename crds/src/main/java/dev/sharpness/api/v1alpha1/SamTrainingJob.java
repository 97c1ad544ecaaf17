package dev.sharpness.api.v1alpha1;

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
 */
@Group(Constants.GROUP)
@Version(Constants.VERSION)
@Plural(Constants.PLURAL)
@ShortNames(Constants.SHORT_NAME)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Method", jsonPath = ".spec.optimizer.method", type = Type.STRING)
@AdditionalPrinterColumn(
        name = "Progress",
        jsonPath = ".status.progress.percent",
        type = Type.INTEGER)
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
public class SamTrainingJob extends CustomResource<SamTrainingJobSpec, SamTrainingJobStatus>
        implements Namespaced {}
