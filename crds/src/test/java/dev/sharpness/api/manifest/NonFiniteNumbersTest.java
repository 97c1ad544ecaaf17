package dev.sharpness.api.manifest;

import static dev.sharpness.api.manifest.TestManifests.MINIMAL;
import static dev.sharpness.api.manifest.TestManifests.parse;
import static dev.sharpness.api.manifest.TestManifests.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.SamTrainingJob;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** No floating-point field takes NaN or an infinity, however the manifest spells it. */
class NonFiniteNumbersTest {

    /** Every floating-point field of the spec, with the method its section belongs to. */
    private static final List<String[]> FIELDS =
            List.of(
                    new String[] {"spec.optimizer.base.learningRate", "SAM"},
                    new String[] {"spec.optimizer.base.momentum", "SAM"},
                    new String[] {"spec.optimizer.base.weightDecay", "SAM"},
                    new String[] {"spec.optimizer.base.epsilon", "SAM"},
                    new String[] {"spec.optimizer.rho", "SAM"},
                    new String[] {"spec.optimizer.schedule.warmupEpochs", "SAM"},
                    new String[] {"spec.optimizer.schedule.gamma", "SAM"},
                    new String[] {"spec.optimizer.lookSam.alpha", "LookSAM"},
                    new String[] {"spec.optimizer.ksam.topFraction", "KSAM"},
                    new String[] {"spec.optimizer.sampa.lambda", "SAMPa"},
                    new String[] {"spec.dataset.validationFraction", "SAM"},
                    new String[] {"spec.dataset.labelNoise", "SAM"},
                    new String[] {"spec.training.labelSmoothing", "SAM"});

    /** How a manifest can spell a non-finite number, and how the problem shows it. */
    private static final List<String[]> SPELLINGS =
            List.of(
                    new String[] {"\"NaN\"", "\"NaN\""},
                    new String[] {"'NaN'", "\"NaN\""},
                    new String[] {"NaN", "\"NaN\""},
                    new String[] {"\"Infinity\"", "\"Infinity\""},
                    new String[] {"\"-Infinity\"", "\"-Infinity\""},
                    new String[] {".nan", ".nan"},
                    new String[] {".NaN", ".NaN"},
                    new String[] {".inf", ".inf"},
                    new String[] {"-.inf", "-.inf"},
                    new String[] {"1e400", "Infinity"});

    static Stream<Arguments> fieldsAndSpellings() {
        List<Arguments> cases = new ArrayList<>();
        for (String[] field : FIELDS) {
            for (String[] spelling : SPELLINGS) {
                cases.add(Arguments.of(field[0], field[1], spelling[0], spelling[1]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("fieldsAndSpellings")
    void nonFiniteNumbersAreRefusedNamingTheField(
            String field, String method, String spelled, String shown) {
        assertThat(rejection(manifest(field, method, spelled)).getMessage())
                .isEqualTo("job.yaml: " + field + ": expected a finite number, got " + shown);
    }

    static Stream<Arguments> fields() {
        return FIELDS.stream().map(field -> Arguments.of(field[0], field[1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fields")
    void finiteValuesInRangeStillLoad(String field, String method) {
        assertThat(parse(manifest(field, method, "0.25"))).isNotNull();
    }

    @Test
    void adamWBetasMustBeFinite() {
        assertThat(
                        rejection(
                                        MINIMAL.replace(
                                                "method: SAM",
                                                "method: SAM, base: {type: AdamW, betas: [0.9,"
                                                        + " .nan]}"))
                                .problems())
                .containsExactly(
                        "spec.optimizer.base.betas[1]: expected a finite number, got .nan");
        assertThat(
                        rejection(
                                        MINIMAL.replace(
                                                "method: SAM",
                                                "method: SAM, base: {type: AdamW, betas: [\"NaN\","
                                                        + " 0.999]}"))
                                .problems())
                .containsExactly(
                        "spec.optimizer.base.betas[0]: expected a finite number, got \"NaN\"");
    }

    @Test
    void overridesAreHeldToTheSameRule() {
        assertThat(rejection(MINIMAL, "spec.optimizer.rho=.nan").problems())
                .containsExactly(
                        "spec.optimizer.rho: expected a finite number, got .nan (from --set"
                                + " spec.optimizer.rho=.nan)");
        assertThat(rejection(MINIMAL, "spec.optimizer.rho=NaN").problems())
                .containsExactly(
                        "spec.optimizer.rho: expected a finite number, got \"NaN\" (from --set"
                                + " spec.optimizer.rho=NaN)");
        assertThat(rejection(MINIMAL, "spec.optimizer.base.betas=[-.inf, 0.9]").problems())
                .containsExactly(
                        "spec.optimizer.base.betas[0]: expected a finite number, got -.inf (from"
                                + " --set spec.optimizer.base.betas=[-.inf, 0.9])");
    }

    @Test
    void theValidatorRefusesNaNInAJobBuiltInCode() {
        // A NaN compares false both ways, so a range check alone would let it through.
        SamTrainingJob job = parse(MINIMAL);
        job.getSpec().getOptimizer().setRho(Double.NaN);
        job.getSpec().getOptimizer().getBase().setLearningRate(Double.POSITIVE_INFINITY);

        assertThat(SpecValidator.validate(job))
                .containsExactlyInAnyOrder(
                        "spec.optimizer.rho: expected a finite number, got NaN",
                        "spec.optimizer.base.learningRate: expected a finite number, got"
                                + " Infinity");
    }

    /**
     * The minimal manifest with {@code field} set to {@code value} as YAML text, and the optimizer
     * method set to {@code method}.
     */
    private static String manifest(String field, String method, String value) {
        String[] keys = field.split("\\.");
        // The field as a flow mapping inside its section: "base: {learningRate: .nan}".
        String entry = keys[keys.length - 1] + ": " + value;
        for (int i = keys.length - 2; i >= 2; i--) {
            entry = keys[i] + ": {" + entry + "}";
        }
        String section = keys[1];
        String yaml = MINIMAL.replace("method: SAM", "method: " + method);
        if (section.equals("optimizer")) {
            return yaml.replace("method: " + method, "method: " + method + ", " + entry);
        }
        if (section.equals("dataset")) {
            return yaml.replace("path: /data/cifar10", "path: /data/cifar10, " + entry);
        }
        return yaml + "  " + section + ": {" + entry + "}\n";
    }
}
