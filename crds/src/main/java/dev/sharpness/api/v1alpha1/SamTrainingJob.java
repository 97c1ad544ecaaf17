package dev.sharpness.api.v1alpha1;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A sharpness-aware training job: one model, one dataset, one optimizer, trained to the end by one
 * trainer pod (SGD, SAM, K-SAM, LookSAM) or a pair of them (SAMPa).
 */
@Group(Constants.GROUP)
@Version(Constants.VERSION)
@ShortNames(Constants.SHORT_NAME)
public class SamTrainingJob extends CustomResource<SamTrainingJobSpec, SamTrainingJobStatus>
        implements Namespaced {}
