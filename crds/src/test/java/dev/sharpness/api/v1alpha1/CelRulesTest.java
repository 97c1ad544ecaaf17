package dev.sharpness.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cel.common.CelOptions;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Evaluates the committed CRD's CEL rules ({@code x-kubernetes-validations}) the way the API server
 * does at admission: each rule against the value at its place in the object, transition rules
 * ({@code oldSelf}) only on an update. No cluster is needed; Google's CEL for Java is the same
 * language the API server embeds.
 */
class CelRulesTest {
    private static final ObjectMapper YAML = new YAMLMapper();

    /** Kubernetes compares numbers across int and double, as in {@code beta < 1.0} for 1. */
    private static final CelOptions OPTIONS =
            CelOptions.current().enableHeterogeneousNumericComparisons(true).build();

    private static final CelCompiler COMPILER =
            CelCompilerFactory.standardCelCompilerBuilder()
                    .setOptions(OPTIONS)
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .addVar("self", SimpleType.DYN)
                    .addVar("oldSelf", SimpleType.DYN)
                    .build();
    private static final CelRuntime RUNTIME =
            CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    private static JsonNode schema;

    private static final String JOB =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: resnet56-cifar10, namespace: team-a}
            spec:
              model: {architecture: resnet56}
              dataset: {format: cifar10, path: /data, volume: {claimName: datasets}}
              optimizer: {method: SAMPa, rho: 0.1, sampa: {lambda: 0.2}}
              training: {epochs: 200}
              worker: {image: registry.example/sam-trainer:0.1.0}
              failurePolicy:
                backoff: {initialSeconds: 10, maxSeconds: 600}
                rules:
                  - {action: Fail, onExitCodes: [2, 4]}
                  - {action: RestartIgnoringLimit, onPodConditions: [DisruptionTarget]}
            """;

    /** The committed CRD's schema, read once. */
    static synchronized JsonNode schema() throws IOException {
        if (schema == null) {
            JsonNode crd = YAML.readTree(CustomResourceDefinitionTest.COMMITTED.toFile());
            schema = crd.at("/spec/versions/0/schema/openAPIV3Schema");
        }
        return schema;
    }

    @Test
    void everyExampleManifestPassesEveryRule() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(examples).isNotEmpty();
        for (Path example : examples) {
            assertThat(violations(YAML.readTree(example.toFile()), null))
                    .as("%s", example)
                    .isEmpty();
        }
        assertThat(violations(job(), null)).isEmpty();
    }

    @Test
    void methodSectionsAreOnlyAllowedWithTheirMethod() throws IOException {
        ObjectNode job = job();
        ((ObjectNode) job.at("/spec/optimizer")).put("method", "SAM");
        ((ObjectNode) job.at("/spec/optimizer")).putObject("ksam").put("topK", 32);
        assertThat(violations(job, null))
                .containsExactlyInAnyOrder(
                        "spec.optimizer: sampa is only allowed with method SAMPa",
                        "spec.optimizer: ksam is only allowed with method KSAM");
    }

    @Test
    void lookLayerSamsPerturbationExcludesAsams() throws IOException {
        ObjectNode manifest = job();
        ObjectNode optimizer = (ObjectNode) manifest.at("/spec/optimizer");
        optimizer.put("method", "LookSAM").remove("sampa");
        optimizer.putObject("lookSam").put("layerwise", true);
        assertThat(violations(manifest, null)).isEmpty();
        optimizer.put("adaptive", true);
        assertThat(violations(manifest, null))
                .containsExactly(
                        "spec.optimizer: lookSam.layerwise and adaptive are two different"
                                + " perturbation rules: choose one");
        ((ObjectNode) optimizer.get("lookSam")).put("layerwise", false);
        assertThat(violations(manifest, null)).isEmpty();
    }

    @Test
    void sharpnessStartsOnceWithinTheRunAndOnlyForASharpnessAwareMethod() throws IOException {
        ObjectNode manifest = job();
        ObjectNode from = ((ObjectNode) manifest.at("/spec/optimizer")).putObject("sharpnessFrom");
        from.put("epoch", 150);
        assertThat(violations(manifest, null)).isEmpty();
        from.put("fraction", 0.75);
        assertThat(violations(manifest, null))
                .containsExactly(
                        "spec.optimizer.sharpnessFrom: sharpnessFrom takes exactly one of epoch or"
                                + " fraction");
        from.remove("fraction");
        from.put("epoch", 201);
        assertThat(violations(manifest, null))
                .containsExactly(
                        "spec: optimizer.sharpnessFrom.epoch must be at most training.epochs");
        ((ObjectNode) manifest.at("/spec")).remove("training");
        from.put("epoch", 10);
        assertThat(violations(manifest, null)).as("training.epochs defaults to 10").isEmpty();
        from.put("epoch", 11);
        assertThat(violations(manifest, null)).hasSize(1);
        from.remove("epoch");
        from.put("fraction", 0.5);
        ((ObjectNode) manifest.at("/spec")).putObject("training").put("batchSize", 1);
        assertThat(violations(manifest, null))
                .containsExactly(
                        "spec: a SAMPa pair splits each batch between its workers before"
                                + " optimizer.sharpnessFrom: training.batchSize must be at least 2");
        ((ObjectNode) manifest.at("/spec/optimizer")).put("method", "SGD").remove("sampa");
        assertThat(violations(manifest, null))
                .containsExactly(
                        "spec.optimizer: sharpnessFrom needs a sharpness-aware method: SGD has"
                                + " none to start");
        ((ObjectNode) manifest.at("/spec/optimizer")).put("method", "SAM");
        assertThat(violations(manifest, null)).as("a batch of 1 is fine without a pair").isEmpty();
    }

    @Test
    void nameMustLeaveRoomForThePodSuffixes() throws IOException {
        ObjectNode job = job();
        ((ObjectNode) job.get("metadata")).put("name", "a".repeat(62));
        assertThat(violations(job, null))
                .containsExactly(
                        ": metadata.name must be at most 61 characters: the pods are named <name>-0"
                                + " and <name>-1");
        ((ObjectNode) job.get("metadata")).put("name", "a".repeat(61));
        assertThat(violations(job, null)).isEmpty();
    }

    @Test
    void nameMustBeADns1035LabelLikeTheServiceItNames() throws IOException {
        ObjectNode job = job();
        for (String name : List.of("1st-run", "run.v2", "run-")) {
            ((ObjectNode) job.get("metadata")).put("name", name);
            assertThat(violations(job, null))
                    .as(name)
                    .singleElement()
                    .asString()
                    .startsWith(": metadata.name must be a DNS-1035 label");
        }
    }

    @Test
    void failureRulesNameExitCodesOrPodConditionsAndBackoffIsOrdered() throws IOException {
        ObjectNode job = job();
        ObjectNode rule = (ObjectNode) job.at("/spec/failurePolicy/rules/0");
        rule.putArray("onPodConditions").add("DisruptionTarget");
        ((ObjectNode) job.at("/spec/failurePolicy/rules/1")).remove("onPodConditions");
        ((ObjectNode) job.at("/spec/failurePolicy/backoff")).put("initialSeconds", 900);
        assertThat(violations(job, null))
                .containsExactlyInAnyOrder(
                        "spec.failurePolicy.rules[0]: a rule names either onExitCodes or"
                                + " onPodConditions, not both and not neither",
                        "spec.failurePolicy.rules[1]: a rule names either onExitCodes or"
                                + " onPodConditions, not both and not neither",
                        "spec.failurePolicy.backoff: initialSeconds must not exceed maxSeconds");
    }

    @Test
    void trainingDefiningFieldsChangeOnlyWhileSuspended() throws IOException {
        String immutable =
                "spec: model, dataset, optimizer, training and communication can only change"
                        + " while the job is suspended (set spec.suspend: true first)";
        ObjectNode running = job();
        ObjectNode changed = job();
        ((ObjectNode) changed.at("/spec/optimizer")).put("rho", 0.05);
        assertThat(violations(changed, running)).containsExactly(immutable);

        ObjectNode addsTraining = job();
        ((ObjectNode) addsTraining.get("spec")).remove("training");
        assertThat(violations(running, addsTraining)).containsExactly(immutable);

        ObjectNode suspended = job();
        ((ObjectNode) suspended.get("spec")).put("suspend", true);
        assertThat(violations(changed, suspended)).isEmpty();

        ObjectNode newImage = job();
        ((ObjectNode) newImage.at("/spec/worker")).put("image", "registry.example/t:0.2.0");
        ((ObjectNode) newImage.get("spec")).put("suspend", true);
        assertThat(violations(newImage, running)).as("suspending, other fields").isEmpty();
    }

    private static ObjectNode job() throws IOException {
        return (ObjectNode) YAML.readTree(JOB);
    }

    /** Every failed rule as {@code <path>: <message>}; {@code old} is null for a create. */
    static List<String> violations(JsonNode object, JsonNode old) throws IOException {
        List<String> failed = new ArrayList<>();
        check(schema(), object, old, "", failed);
        return failed;
    }

    private static void check(
            JsonNode schema, JsonNode value, JsonNode old, String path, List<String> failed) {
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            String rule = validation.get("rule").asText();
            boolean transition = rule.contains("oldSelf");
            if (transition && old == null) {
                continue;
            }
            Map<String, Object> variables = new HashMap<>();
            variables.put("self", plain(value));
            if (transition) {
                variables.put("oldSelf", plain(old));
            }
            if (!Boolean.TRUE.equals(evaluate(rule, variables))) {
                failed.add(path + ": " + validation.get("message").asText());
            }
        }
        if (value.isObject()) {
            schema.path("properties")
                    .fields()
                    .forEachRemaining(
                            property -> {
                                JsonNode child = value.get(property.getKey());
                                if (child != null) {
                                    JsonNode oldChild =
                                            old == null ? null : old.get(property.getKey());
                                    String childPath =
                                            path.isEmpty()
                                                    ? property.getKey()
                                                    : path + "." + property.getKey();
                                    check(property.getValue(), child, oldChild, childPath, failed);
                                }
                            });
        } else if (value.isArray()) {
            // List items are not correlated with the old list (no list-type: map), so their
            // transition rules never run, as on the API server.
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), null, path + "[" + i + "]", failed);
            }
        }
    }

    private static Object evaluate(String rule, Map<String, Object> variables) {
        try {
            CelRuntime.Program program = RUNTIME.createProgram(COMPILER.compile(rule).getAst());
            return program.eval(variables);
        } catch (Exception e) {
            throw new AssertionError("CEL rule " + rule + " did not evaluate: " + e, e);
        }
    }

    /** JSON as CEL's Java values: integers as long, numbers as double, objects as maps. */
    private static Object plain(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(f -> map.put(f.getKey(), plain(f.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(plain(item)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.asText();
    }
}
