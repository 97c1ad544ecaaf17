package dev.sharpness.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sharpness.api.manifest.ManifestException;
import dev.sharpness.api.manifest.ManifestLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CRD's CEL rules are the one source of what a job may say: the trainer's local validation
 * evaluates every one of them, and says what {@link CelRulesTest}'s evaluation, the API server's
 * way, says about the same manifests.
 */
class LocalValidationTest {
    private static final ObjectMapper YAML = new YAMLMapper();

    /**
     * For every rule of the CRD that applies at creation: a change to {@link #JOB} that breaks it,
     * and the field path where the API server reports it. A new rule without a case here fails
     * {@link #everyRuleOfTheCrdIsEnforcedLocallyWithItsMessage}.
     */
    private static final Map<String, Violation> VIOLATIONS = new LinkedHashMap<>();

    private static final String JOB =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: resnet56-cifar10, namespace: team-a}
            spec:
              model: {architecture: resnet56}
              dataset: {format: cifar10, path: /data, volume: {claimName: datasets}}
              optimizer:
                method: SAMPa
                rho: 0.1
                sampa: {lambda: 0.2}
                base: {type: AdamW, learningRate: 0.001, betas: [0.9, 0.999]}
              training: {epochs: 200}
              worker: {image: registry.example/sam-trainer:0.1.0}
              failurePolicy:
                backoff: {initialSeconds: 10, maxSeconds: 600}
                rules:
                  - {action: Fail, onExitCodes: [2, 4]}
                  - {action: RestartIgnoringLimit, onPodConditions: [DisruptionTarget]}
            """;

    private record Violation(String path, Consumer<ObjectNode> change) {}

    @BeforeAll
    static void violations() {
        VIOLATIONS.put(
                "self.metadata.name.size() <= 61",
                new Violation(null, job -> metadata(job).put("name", "a".repeat(62))));
        VIOLATIONS.put(
                "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
                new Violation(null, job -> metadata(job).put("name", "Resnet_56")));
        VIOLATIONS.put(
                "self.method == 'SAMPa' || !has(self.sampa)",
                new Violation("spec.optimizer", job -> optimizer(job).put("method", "SAM")));
        VIOLATIONS.put(
                "self.method == 'KSAM' || !has(self.ksam)",
                new Violation(
                        "spec.optimizer", job -> optimizer(job).putObject("ksam").put("topK", 8)));
        VIOLATIONS.put(
                "self.method == 'LookSAM' || !has(self.lookSam)",
                new Violation(
                        "spec.optimizer",
                        job -> optimizer(job).putObject("lookSam").put("interval", 5)));
        VIOLATIONS.put(
                "self.all(beta, beta >= 0.0 && beta < 1.0)",
                new Violation(
                        "spec.optimizer.base.betas",
                        job ->
                                ((ObjectNode) job.at("/spec/optimizer/base"))
                                        .putArray("betas")
                                        .add(0.9)
                                        .add(1)));
        VIOLATIONS.put(
                SyntheticSpec.FITS_ONE_ARRAY,
                new Violation(
                        "spec.dataset.synthetic",
                        job ->
                                ((ObjectNode) job.get("spec"))
                                        .putObject("dataset")
                                        .put("format", "synthetic")
                                        .putObject("synthetic")
                                        .put("trainSamples", 1000000)
                                        .put("testSamples", 10)
                                        .put("classes", 10)
                                        .put("channels", 16)
                                        .put("imageSize", 256)));
        VIOLATIONS.put(
                "self.initialSeconds <= self.maxSeconds",
                new Violation(
                        "spec.failurePolicy.backoff",
                        job ->
                                ((ObjectNode) job.at("/spec/failurePolicy/backoff"))
                                        .put("initialSeconds", 900)));
        VIOLATIONS.put(
                "has(self.onExitCodes) != has(self.onPodConditions)",
                new Violation(
                        "spec.failurePolicy.rules[1]",
                        job ->
                                ((ObjectNode) job.at("/spec/failurePolicy/rules/1"))
                                        .remove("onPodConditions")));
        VIOLATIONS.put(
                OptimizerSpec.ONE_PERTURBATION_RULE,
                new Violation(
                        "spec.optimizer",
                        job -> {
                            optimizer(job).put("method", "LookSAM").put("adaptive", true);
                            optimizer(job).remove("sampa");
                            optimizer(job).putObject("lookSam").put("layerwise", true);
                        }));
        VIOLATIONS.put(
                OptimizerSpec.SHARPNESS_NEEDS_A_METHOD,
                new Violation(
                        "spec.optimizer",
                        job -> {
                            optimizer(job).put("method", "SGD").remove("sampa");
                            optimizer(job).putObject("sharpnessFrom").put("epoch", 2);
                        }));
        VIOLATIONS.put(
                SharpnessFromSpec.EPOCH_OR_FRACTION,
                new Violation(
                        "spec.optimizer.sharpnessFrom",
                        job ->
                                optimizer(job)
                                        .putObject("sharpnessFrom")
                                        .put("epoch", 2)
                                        .put("fraction", 0.5)));
        VIOLATIONS.put(
                SamTrainingJobSpec.SHARPNESS_STARTS_WITHIN_THE_RUN,
                new Violation(
                        "spec",
                        job -> optimizer(job).putObject("sharpnessFrom").put("epoch", 201)));
        VIOLATIONS.put(
                SamTrainingJobSpec.PAIR_CAN_SPLIT_ITS_BATCHES,
                new Violation(
                        "spec",
                        job -> {
                            optimizer(job).putObject("sharpnessFrom").put("fraction", 0.5);
                            ((ObjectNode) job.at("/spec/training")).put("batchSize", 1);
                        }));
        VIOLATIONS.put(
                SamTrainingJobSpec.EARLY_STOPPING_NEEDS_VALIDATION,
                new Violation(
                        "spec",
                        job -> {
                            ((ObjectNode) job.at("/spec/training"))
                                    .putObject("earlyStopping")
                                    .put("patience", 3);
                            ((ObjectNode) job.at("/spec/dataset")).put("validationFraction", 0.0);
                        }));
    }

    @Test
    void everyRuleOfTheCrdIsEnforcedLocallyWithItsMessage() throws IOException {
        Map<String, String> creationRules = new LinkedHashMap<>();
        List<String> transitionRules = new ArrayList<>();
        collectRules(CelRulesTest.schema(), creationRules, transitionRules);

        assertThat(VIOLATIONS.keySet())
                .as("a violating change for every rule checked at creation")
                .containsExactlyInAnyOrderElementsOf(creationRules.keySet());
        for (Map.Entry<String, Violation> entry : VIOLATIONS.entrySet()) {
            String message = creationRules.get(entry.getKey());
            Violation violation = entry.getValue();
            String expected =
                    violation.path() == null ? message : violation.path() + ": " + message;

            assertThat(localProblems(violated(violation)))
                    .as(entry.getKey())
                    .containsExactly(expected);
        }
        // Transition rules compare with the stored object; a manifest the trainer reads is always
        // a creation, so locally they never apply, as on the API server at create.
        assertThat(transitionRules)
                .singleElement()
                .isEqualTo(SamTrainingJobSpec.TRAINING_UNCHANGED_UNLESS_SUSPENDED);
    }

    @Test
    void localAndApiServerVerdictsAgreeOnEveryManifest() throws IOException {
        List<JsonNode> manifests = new ArrayList<>(examples());
        manifests.add(job());
        for (Violation violation : VIOLATIONS.values()) {
            manifests.add(violated(violation));
        }
        ObjectNode several = job();
        VIOLATIONS.values().forEach(violation -> violation.change().accept(several));
        manifests.add(several);

        for (JsonNode manifest : manifests) {
            List<String> server =
                    CelRulesTest.violations(manifest, null).stream()
                            // The harness names the resource itself with an empty path.
                            .map(line -> line.startsWith(": ") ? line.substring(2) : line)
                            .toList();
            assertThat(localProblems(manifest))
                    .as("%s", manifest)
                    .containsExactlyInAnyOrderElementsOf(server);
        }
        // Several changes touch the same fields, so not every rule still fails once all are made.
        assertThat(CelRulesTest.violations(several, null)).hasSizeGreaterThan(5);
    }

    /** The problems the trainer's loader finds in a manifest; empty when it loads. */
    private static List<String> localProblems(JsonNode manifest) throws IOException {
        String yaml = YAML.writeValueAsString(manifest);
        ManifestException refused =
                catchThrowableOfType(
                        ManifestException.class,
                        () -> ManifestLoader.parse(yaml, "job.yaml", List.of()));
        return refused == null ? List.of() : refused.problems();
    }

    /** Every rule under a schema: creation rules with their messages, then transition rules. */
    private static void collectRules(
            JsonNode schema, Map<String, String> creation, List<String> transition) {
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            String rule = validation.get("rule").asText();
            if (rule.contains("oldSelf")) {
                transition.add(rule);
            } else {
                creation.put(rule, validation.get("message").asText());
            }
        }
        schema.path("properties").forEach(child -> collectRules(child, creation, transition));
        if (schema.has("items")) {
            collectRules(schema.get("items"), creation, transition);
        }
        if (schema.has("additionalProperties")) {
            collectRules(schema.get("additionalProperties"), creation, transition);
        }
    }

    private static List<JsonNode> examples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            return files.filter(f -> f.toString().endsWith(".yaml"))
                    .sorted()
                    .map(LocalValidationTest::read)
                    .toList();
        }
    }

    private static JsonNode read(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode violated(Violation violation) throws IOException {
        ObjectNode job = job();
        violation.change().accept(job);
        return job;
    }

    private static ObjectNode job() throws IOException {
        return (ObjectNode) YAML.readTree(JOB);
    }

    private static ObjectNode metadata(ObjectNode job) {
        return (ObjectNode) job.get("metadata");
    }

    private static ObjectNode optimizer(ObjectNode job) {
        return (ObjectNode) job.at("/spec/optimizer");
    }
}
