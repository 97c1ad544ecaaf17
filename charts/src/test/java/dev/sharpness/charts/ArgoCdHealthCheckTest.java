package dev.sharpness.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * docs/argocd-health.lua, run as Argo CD runs it: the script's body with the live object as the
 * global {@code obj}, returning a table with {@code status} and {@code message}.
 */
class ArgoCdHealthCheckTest {
    static final Path SCRIPT = Path.of("..", "docs", "argocd-health.lua");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "Pending,    Progressing",
        "Starting,   Progressing",
        "Running,    Progressing",
        "Restarting, Progressing",
        "Suspended,  Suspended",
        "Succeeded,  Healthy",
        "Failed,     Degraded"
    })
    void everyPhaseMapsToItsHealth(String phase, String health) throws IOException {
        Map<String, String> result = check(job("status: {phase: " + phase + "}"));

        assertThat(result).containsEntry("status", health).containsEntry("message", phase);
    }

    @Test
    void scriptNamesEveryPhase() throws IOException {
        String script = Files.readString(SCRIPT);

        for (String phase :
                new String[] {
                    "Pending",
                    "Starting",
                    "Running",
                    "Restarting",
                    "Suspended",
                    "Succeeded",
                    "Failed"
                }) {
            assertThat(script).as("phase %s", phase).contains(phase);
        }
    }

    @Test
    void failedJobIsDegradedWithTheFailedConditionsReasonAndMessage() throws IOException {
        Map<String, String> result =
                check(
                        job(
                                """
                                status:
                                  phase: Failed
                                  conditions:
                                    - {type: PodsReady, status: "False", reason: PodFailed}
                                    - {type: Failed, status: "True", reason: BackoffLimitExceeded,
                                       message: "the pair failed 4 times (maxRestarts 3)"}
                                """));

        assertThat(result)
                .containsEntry("status", "Degraded")
                .containsEntry(
                        "message", "BackoffLimitExceeded: the pair failed 4 times (maxRestarts 3)");
    }

    @Test
    void succeededJobIsHealthyWithTheCompleteConditionsMessage() throws IOException {
        Map<String, String> result =
                check(
                        job(
                                """
                                status:
                                  phase: Succeeded
                                  conditions:
                                    - {type: Complete, status: "True", reason: Completed,
                                       message: "test accuracy 0.93"}
                                """));

        assertThat(result)
                .containsEntry("status", "Healthy")
                .containsEntry("message", "Completed: test accuracy 0.93");
    }

    @Test
    void runningJobReportsItsProgress() throws IOException {
        Map<String, String> result =
                check(job("status: {phase: Running, progress: {percent: 41.7}}"));

        assertThat(result)
                .containsEntry("status", "Progressing")
                .containsEntry("message", "Running (42%)");
    }

    @Test
    void jobWithoutStatusOrWithAStaleOneIsProgressing() throws IOException {
        assertThat(check(job("{}")))
                .containsEntry("status", "Progressing")
                .containsEntry("message", "Waiting for the operator");
        assertThat(check(job("status: {phase: Succeeded, observedGeneration: 1}")))
                .containsEntry("status", "Progressing")
                .containsEntry("message", "Waiting for the operator to observe generation 2");
    }

    /** A job at generation 2 whose top level also holds {@code yaml} (e.g. its status). */
    private static JsonNode job(String yaml) throws IOException {
        String job =
                """
                apiVersion: sharpness.dev/v1alpha1
                kind: SamTrainingJob
                metadata: {name: resnet56, namespace: team-a, generation: 2}
                spec: {model: {architecture: resnet56}}
                """;
        JsonNode object = YAML.readTree(job);
        ((ObjectNode) object).setAll((ObjectNode) YAML.readTree(yaml));
        return object;
    }

    private static Map<String, String> check(JsonNode object) throws IOException {
        assertThat(SCRIPT).exists();
        Globals globals = JsePlatform.standardGlobals();
        globals.set("obj", lua(object));
        LuaValue result = globals.load(Files.readString(SCRIPT), "argocd-health.lua").call();
        return Map.of(
                "status", result.get("status").tojstring(),
                "message", result.get("message").tojstring());
    }

    /** JSON as Argo CD hands it to Lua: objects and arrays as tables (arrays from index 1). */
    private static LuaValue lua(JsonNode node) {
        if (node.isObject()) {
            LuaTable table = new LuaTable();
            node.fields().forEachRemaining(f -> table.set(f.getKey(), lua(f.getValue())));
            return table;
        }
        if (node.isArray()) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < node.size(); i++) {
                table.set(i + 1, lua(node.get(i)));
            }
            return table;
        }
        if (node.isNumber()) {
            return LuaValue.valueOf(node.asDouble());
        }
        if (node.isBoolean()) {
            return LuaValue.valueOf(node.asBoolean());
        }
        if (node.isNull()) {
            return LuaValue.NIL;
        }
        return LuaValue.valueOf(node.asText());
    }
}
