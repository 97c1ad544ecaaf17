package dev.sharpness.operator.children;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The ConfigMap {@code <job>-config}: the job as the trainer reads it, with every default written
 * out and the checkpoint folder resolved to this job's place on the volume.
 */
public final class JobConfigMap {
    private JobConfigMap() {}

    public static ConfigMap desired(SamTrainingJob job) {
        return new ConfigMapBuilder()
                .withMetadata(Owners.ownedBy(job, JobNames.configMap(job), Owners.jobLabels(job)))
                .addToData(TrainerPaths.MANIFEST_KEY, manifest(job))
                .build();
    }

    /** The effective manifest: metadata the trainer needs, the spec with paths made concrete. */
    static String manifest(SamTrainingJob job) {
        SamTrainingJob effective = new SamTrainingJob();
        effective.setMetadata(
                new ObjectMetaBuilder()
                        .withName(job.getMetadata().getName())
                        .withNamespace(job.getMetadata().getNamespace())
                        .withUid(job.getMetadata().getUid())
                        .build());
        SamTrainingJobSpec spec = Serialization.clone(job.getSpec());
        spec.getCheckpoint().setPath(TrainerPaths.checkpointFolder(job));
        if (spec.getDataset().getVolume() != null) {
            spec.getDataset().setPath(TrainerPaths.dataMount(job));
        }
        effective.setSpec(spec);
        return ManifestLoader.toYaml(effective);
    }
}
