package dev.sharpness.operator.testing.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The stand-in API server refuses what a real one refuses in a pod's downward API fields. */
class ObjectRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPodsEnvironmentTakesOnlySupportedResourceFieldsWithValidDivisors() throws Exception {
        JsonNode pod =
                JSON.readTree(
                        """
                        {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "trainer",
                          "env": [
                            {"name": "OK", "valueFrom": {"resourceFieldRef":
                              {"containerName": "trainer", "resource": "requests.cpu",
                               "divisor": "1"}}},
                            {"name": "GPU", "valueFrom": {"resourceFieldRef":
                              {"resource": "limits.nvidia.com/gpu"}}},
                            {"name": "HALF", "valueFrom": {"resourceFieldRef":
                              {"resource": "limits.cpu", "divisor": "2"}}},
                            {"name": "MEMORY", "valueFrom": {"resourceFieldRef":
                              {"resource": "requests.memory", "divisor": "1Mi"}}}
                          ]}]}}
                        """);

        assertThat(ObjectRules.problems("pods", pod))
                .containsExactly(
                        "spec.containers[0].env[1].valueFrom.resourceFieldRef.resource:"
                                + " Unsupported value: \"limits.nvidia.com/gpu\": supported"
                                + " values: \"limits.cpu\", \"limits.ephemeral-storage\","
                                + " \"limits.memory\", \"requests.cpu\","
                                + " \"requests.ephemeral-storage\", \"requests.memory\"",
                        "spec.containers[0].env[2].valueFrom.resourceFieldRef.divisor: Invalid"
                                + " value: \"2\": only divisor's values 1m and 1 are supported"
                                + " with the cpu resource");
    }
}
