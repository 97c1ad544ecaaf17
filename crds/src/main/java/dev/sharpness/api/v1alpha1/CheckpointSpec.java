package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Checkpoints hold everything a run needs to continue exactly where it stopped. */
public class CheckpointSpec {
    @JsonPropertyDescription(
            "Directory for checkpoints. Absent: <run folder>/checkpoints locally, /checkpoints in a pod.")
    private String path;

    @JsonPropertyDescription(
            "A PersistentVolumeClaim for checkpoints, mounted at path. Absent in a pod: an emptyDir,"
                    + " which survives container restarts but not a new attempt's pods.")
    private VolumeClaimSpec volume;

    @Default("500")
    @Min(1)
    @JsonPropertyDescription(
            "Write a checkpoint every this many steps, and always at the end of an epoch.")
    private int everySteps = 500;

    @Default("3")
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Checkpoints kept; older ones are deleted.")
    private int keep = 3;

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public int getEverySteps() {
        return everySteps;
    }

    public void setEverySteps(int everySteps) {
        this.everySteps = everySteps;
    }

    public int getKeep() {
        return keep;
    }

    public void setKeep(int keep) {
        this.keep = keep;
    }

    public VolumeClaimSpec getVolume() {
        return volume;
    }

    public void setVolume(VolumeClaimSpec volume) {
        this.volume = volume;
    }
}
