package dev.sharpness.api.manifest;

import static dev.sharpness.api.manifest.TestManifests.MINIMAL;
import static dev.sharpness.api.manifest.TestManifests.parse;
import static dev.sharpness.api.manifest.TestManifests.resource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.BaseOptimizerSpec;
import dev.sharpness.api.v1alpha1.DatasetSpec;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.api.v1alpha1.ScheduleSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestLoaderTest {

    @Test
    void loadsFullManifestWithTheGivenValues() {
        SamTrainingJob job = ManifestLoader.load(resource("full.yaml"), List.of());

        assertThat(job.getMetadata().getName()).isEqualTo("resnet56-cifar10");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("team-a");
        SamTrainingJobSpec spec = job.getSpec();
        assertThat(spec.getModel().getArchitecture()).isEqualTo(ModelSpec.Architecture.RESNET56);

        DatasetSpec dataset = spec.getDataset();
        assertThat(dataset.getFormat()).isEqualTo(DatasetSpec.Format.CIFAR10);
        assertThat(dataset.getPath()).isEqualTo("/data/cifar-10-batches-bin");
        assertThat(dataset.getValidationFraction()).isEqualTo(0.05);
        assertThat(dataset.getAugmentation()).isEqualTo(DatasetSpec.Augmentation.STANDARD);
        assertThat(dataset.getLabelNoise()).isEqualTo(0.2);

        OptimizerSpec optimizer = spec.getOptimizer();
        assertThat(optimizer.getMethod()).isEqualTo(OptimizerSpec.Method.SAMPA);
        assertThat(optimizer.getRho()).isEqualTo(0.1);
        assertThat(optimizer.isAdaptive()).isTrue();
        BaseOptimizerSpec base = optimizer.getBase();
        assertThat(base.getType()).isEqualTo(BaseOptimizerSpec.Type.SGD);
        assertThat(base.getLearningRate()).isEqualTo(0.05);
        assertThat(base.getMomentum()).isEqualTo(0.8);
        assertThat(base.isNesterov()).isTrue();
        assertThat(base.getWeightDecay()).isEqualTo(1.0e-3);
        ScheduleSpec schedule = optimizer.getSchedule();
        assertThat(schedule.getType()).isEqualTo(ScheduleSpec.Type.STEP);
        assertThat(schedule.getPer()).isEqualTo(ScheduleSpec.Granularity.EPOCH);
        assertThat(schedule.getWarmupEpochs()).isEqualTo(5.0);
        assertThat(schedule.getMilestones()).containsExactly(100, 150);
        assertThat(schedule.getGamma()).isEqualTo(0.2);

        assertThat(spec.getTraining().getEpochs()).isEqualTo(200);
        assertThat(spec.getTraining().getBatchSize()).isEqualTo(256);
        assertThat(spec.getTraining().getSeed()).isEqualTo(7);
        assertThat(spec.getTraining().getLabelSmoothing()).isEqualTo(0.1);
        assertThat(spec.getTraining().getMaxSteps()).isEqualTo(1000L);

        assertThat(spec.getCheckpoint().getPath()).isEqualTo("/checkpoints");
        assertThat(spec.getCheckpoint().getEverySteps()).isEqualTo(250);
        assertThat(spec.getCheckpoint().getKeep()).isEqualTo(5);
    }

    @Test
    void minimalManifestGetsEveryDefault() {
        SamTrainingJobSpec spec =
                ManifestLoader.load(resource("minimal.yaml"), List.of()).getSpec();

        assertThat(spec.getModel().getArchitecture()).isEqualTo(ModelSpec.Architecture.CNN);
        DatasetSpec dataset = spec.getDataset();
        assertThat(dataset.getFormat()).isEqualTo(DatasetSpec.Format.SYNTHETIC);
        assertThat(dataset.getPath()).isNull();
        assertThat(dataset.getValidationFraction()).isEqualTo(0.1);
        assertThat(dataset.getAugmentation()).isEqualTo(DatasetSpec.Augmentation.AUTO);
        assertThat(dataset.getLabelNoise()).isEqualTo(0.0);
        assertThat(dataset.getSynthetic().getTrainSamples()).isEqualTo(512);
        assertThat(dataset.getSynthetic().getTestSamples()).isEqualTo(128);
        assertThat(dataset.getSynthetic().getClasses()).isEqualTo(10);
        assertThat(dataset.getSynthetic().getChannels()).isEqualTo(1);
        assertThat(dataset.getSynthetic().getImageSize()).isEqualTo(8);

        OptimizerSpec optimizer = spec.getOptimizer();
        assertThat(optimizer.getMethod()).isEqualTo(OptimizerSpec.Method.SAM);
        assertThat(optimizer.getRho()).isEqualTo(0.05);
        assertThat(optimizer.isAdaptive()).isFalse();
        BaseOptimizerSpec base = optimizer.getBase();
        assertThat(base.getType()).isEqualTo(BaseOptimizerSpec.Type.SGD);
        assertThat(base.getLearningRate()).isEqualTo(0.1);
        assertThat(base.getMomentum()).isEqualTo(0.9);
        assertThat(base.isNesterov()).isFalse();
        assertThat(base.getWeightDecay()).isEqualTo(5.0e-4);
        assertThat(base.getBetas()).containsExactly(0.9, 0.999);
        assertThat(base.getEpsilon()).isEqualTo(1.0e-8);
        ScheduleSpec schedule = optimizer.getSchedule();
        assertThat(schedule.getType()).isEqualTo(ScheduleSpec.Type.COSINE);
        assertThat(schedule.getPer()).isEqualTo(ScheduleSpec.Granularity.STEP);
        assertThat(schedule.getWarmupEpochs()).isEqualTo(0.0);
        assertThat(schedule.getMilestones()).isEmpty();
        assertThat(schedule.getGamma()).isEqualTo(0.1);

        assertThat(spec.getTraining().getEpochs()).isEqualTo(10);
        assertThat(spec.getTraining().getBatchSize()).isEqualTo(128);
        assertThat(spec.getTraining().getSeed()).isEqualTo(42);
        assertThat(spec.getTraining().getLabelSmoothing()).isEqualTo(0.0);
        assertThat(spec.getTraining().getMaxSteps()).isNull();

        assertThat(spec.getCheckpoint().getPath()).isNull();
        assertThat(spec.getCheckpoint().getEverySteps()).isEqualTo(500);
        assertThat(spec.getCheckpoint().getKeep()).isEqualTo(3);
    }

    @Test
    void emptySectionMeansTheDefaultSection() {
        SamTrainingJob job = parse(MINIMAL + "  training:\n  checkpoint: ~\n");

        assertThat(job.getSpec().getTraining().getEpochs()).isEqualTo(10);
        assertThat(job.getSpec().getCheckpoint().getKeep()).isEqualTo(3);
    }

    @Test
    void integersAreAcceptedForNumberFields() {
        SamTrainingJob job =
                parse(MINIMAL, "spec.optimizer.rho=1", "spec.optimizer.base.betas=[0, 0]");

        assertThat(job.getSpec().getOptimizer().getRho()).isEqualTo(1.0);
        assertThat(job.getSpec().getOptimizer().getBase().getBetas()).containsExactly(0.0, 0.0);
    }

    @Test
    void metadataKeepsLabelsAndAnnotations() {
        SamTrainingJob job =
                parse(
                        MINIMAL.replace(
                                "metadata: {name: demo}",
                                "metadata: {name: demo, labels: {team: a}, annotations: {note: x}}"));

        assertThat(job.getMetadata().getLabels()).isEqualTo(Map.of("team", "a"));
        assertThat(job.getMetadata().getAnnotations()).isEqualTo(Map.of("note", "x"));
    }

    @Test
    void toYamlWritesEveryDefaultInDeclarationOrder() throws IOException {
        SamTrainingJob job = ManifestLoader.load(resource("minimal.yaml"), List.of());

        assertThat(ManifestLoader.toYaml(job))
                .isEqualTo(Files.readString(resource("minimal.effective.yaml")));
    }

    @Test
    void toYamlRoundTripsTheFullManifest() {
        SamTrainingJob job = ManifestLoader.load(resource("full.yaml"), List.of());
        String yaml = ManifestLoader.toYaml(job);

        assertThat(ManifestLoader.toYaml(parse(yaml))).isEqualTo(yaml);
    }

    @Test
    void toYamlRoundTripsOverriddenValues() {
        SamTrainingJob job =
                parse(
                        MINIMAL,
                        "spec.optimizer.base={type: AdamW, learningRate: 1.0e-3, betas: [0.8, 0.99]}",
                        "spec.training.maxSteps=20",
                        "metadata.labels={version: \"2\", enabled: \"true\"}");
        String yaml = ManifestLoader.toYaml(job);

        assertThat(yaml).contains("type: AdamW", "learningRate: 0.001", "maxSteps: 20");
        assertThat(ManifestLoader.toYaml(parse(yaml))).isEqualTo(yaml);
    }
}
