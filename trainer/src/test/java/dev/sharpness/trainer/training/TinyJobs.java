package dev.sharpness.trainer.training;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.trainer.training.listener.ProgressListener;
import java.nio.file.Path;
import java.util.List;

/** Small synthetic jobs that train in a second: 192 training samples, 6 steps per epoch. */
final class TinyJobs {
    static final String MANIFEST =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: tiny}
            spec:
              model: {architecture: cnn}
              dataset:
                format: synthetic
                validationFraction: 0.25
                synthetic: {trainSamples: 256, testSamples: 64, classes: 4, imageSize: 8}
              optimizer:
                method: SAM
                rho: 0.05
                base: {learningRate: 0.05}
              training: {epochs: 3, batchSize: 32, seed: 7}
              checkpoint: {everySteps: 5, keep: 3}
            """;

    private TinyJobs() {}

    static SamTrainingJob job(String... overrides) {
        return ManifestLoader.parse(MANIFEST, "tiny.yaml", List.of(overrides));
    }

    static RunSummary run(Path out, boolean resume, String... overrides) {
        return training(out, resume, overrides).execute();
    }

    /** The run of {@link #run}, not yet started, for tests that configure it further. */
    static TrainingRun training(Path out, boolean resume, String... overrides) {
        return new TrainingRun(job(overrides), out, out, resume, new ProgressListener() {});
    }
}
