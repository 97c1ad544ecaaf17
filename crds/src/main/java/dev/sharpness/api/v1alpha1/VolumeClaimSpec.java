package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A PersistentVolumeClaim in the job's namespace, mounted into the trainer pods. */
public class VolumeClaimSpec {
    @Required
    @Pattern(Constants.DNS_1123_SUBDOMAIN)
    @JsonPropertyDescription("Name of a PersistentVolumeClaim in the job's namespace.")
    private String claimName;

    @Default("false")
    @JsonPropertyDescription("Mount the claim read-only.")
    private boolean readOnly = false;

    public String getClaimName() {
        return claimName;
    }

    public void setClaimName(String claimName) {
        this.claimName = claimName;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    public void setReadOnly(boolean readOnly) {
        this.readOnly = readOnly;
    }
}
