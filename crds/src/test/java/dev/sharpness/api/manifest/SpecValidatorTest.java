package dev.sharpness.api.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.DatasetSpec;
import dev.sharpness.api.v1alpha1.FailureRule;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.api.v1alpha1.SampaSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The validator on jobs built in code, as the operator will hand it jobs from the API server. */
class SpecValidatorTest {

    @Test
    void acceptsAValidJob() {
        assertThat(SpecValidator.validate(validJob())).isEmpty();
    }

    @Test
    void namesEveryMissingRequiredField() {
        SamTrainingJob job = new SamTrainingJob();
        job.setSpec(new SamTrainingJobSpec());

        assertThat(SpecValidator.validate(job))
                .containsExactly(
                        "metadata.name: required",
                        "spec.model: required",
                        "spec.dataset: required",
                        "spec.optimizer: required");
    }

    @Test
    void walksIntoNestedSectionsAndListElements() {
        SamTrainingJob job = validJob();
        job.getSpec().getDataset().getSynthetic().setClasses(1);
        job.getSpec().getOptimizer().getSchedule().setGamma(2);
        job.getSpec().getOptimizer().getBase().setBetas(Arrays.asList(0.9, null));

        assertThat(SpecValidator.validate(job))
                .containsExactly(
                        "spec.dataset.synthetic.classes: expected at least 2, got 1",
                        "spec.optimizer.base.betas[1]: expected a value, got null",
                        "spec.optimizer.schedule.gamma: expected at most 1, got 2");
    }

    @Test
    void evaluatesTheCelRulesOfTheTypesAtTheirPlaces() {
        SamTrainingJob job = validJob();
        job.getMetadata().setName("Valid");
        job.getSpec().getOptimizer().setSampa(new SampaSpec());
        job.getSpec().getFailurePolicy().getBackoff().setInitialSeconds(900);
        job.getSpec().getFailurePolicy().getBackoff().setMaxSeconds(600);
        FailureRule neither = new FailureRule();
        neither.setAction(FailureRule.Action.FAIL);
        job.getSpec().getFailurePolicy().setRules(List.of(neither));

        assertThat(SpecValidator.validate(job))
                .containsExactly(
                        "metadata.name must be a DNS-1035 label (lower-case letters, digits and"
                                + " '-', starting with a letter, ending with a letter or digit): it"
                                + " names the pair's Service and the pods' host names",
                        "spec.optimizer: sampa is only allowed with method SAMPa",
                        "spec.failurePolicy.backoff: initialSeconds must not exceed maxSeconds",
                        "spec.failurePolicy.rules[0]: a rule names either onExitCodes or"
                                + " onPodConditions, not both and not neither");
    }

    @Test
    void requiredFieldOfANestedSectionIsNamedWithItsPath() {
        SamTrainingJob job = validJob();
        job.getSpec().setModel(new ModelSpec());

        assertThat(SpecValidator.validate(job))
                .containsExactly("spec.model.architecture: required");
    }

    private static SamTrainingJob validJob() {
        SamTrainingJob job = new SamTrainingJob();
        job.setMetadata(new ObjectMetaBuilder().withName("valid").build());
        SamTrainingJobSpec spec = new SamTrainingJobSpec();
        ModelSpec model = new ModelSpec();
        model.setArchitecture(ModelSpec.Architecture.MLP);
        spec.setModel(model);
        DatasetSpec dataset = new DatasetSpec();
        dataset.setFormat(DatasetSpec.Format.SYNTHETIC);
        spec.setDataset(dataset);
        OptimizerSpec optimizer = new OptimizerSpec();
        optimizer.setMethod(OptimizerSpec.Method.SGD);
        spec.setOptimizer(optimizer);
        job.setSpec(spec);
        return job;
    }
}
