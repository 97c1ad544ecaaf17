package dev.sharpness.api.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The hash of what defines a training trajectory. A checkpoint remembers it and a run refuses a
 * checkpoint of another; the two ranks of a pair compare it; the operator keeps the checkpoints of
 * different trajectories of one job apart by it.
 *
 * <p>It covers the model, the dataset (but not which claim holds it), the optimizer, the training
 * loop (but not {@code maxSteps}: a run stopped early may continue with a later stop; nor {@code
 * logEverySteps}, which changes only what is written), the wire precision (bf16 changes the
 * numbers), and early stopping's monitor (it chooses the best model) but not its patience. It
 * leaves out everything about where and how the run is placed, restarted or checkpointed, so
 * suspending a job or raising its restart limit keeps its checkpoints valid.
 */
public final class TrainingIdentity {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingIdentity() {}

    /** Hex SHA-256 of the training-defining fields of {@code spec}, defaults applied. */
    public static String hash(SamTrainingJobSpec spec) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of()
                    .formatHex(
                            digest.digest(
                                    defining(spec).toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Each training-defining field whose value differs between {@code before} and {@code after}, as
     * {@code spec.<path>: <before> -> <after>} ("absent" where one has none), in field order.
     */
    public static List<String> differences(SamTrainingJobSpec before, SamTrainingJobSpec after) {
        List<String> found = new ArrayList<>();
        compare("spec", defining(before), defining(after), found);
        return found;
    }

    private static ObjectNode defining(SamTrainingJobSpec spec) {
        ObjectNode full = JSON.valueToTree(spec);
        ObjectNode defining = JSON.createObjectNode();
        defining.set("model", full.get("model"));
        ObjectNode dataset = full.with("dataset");
        dataset.remove("volume");
        defining.set("dataset", dataset);
        defining.set("optimizer", full.get("optimizer"));
        ObjectNode training = full.with("training");
        training.remove("maxSteps");
        training.remove("logEverySteps");
        // Patience and minDelta only decide where the run ends, as maxSteps does: a run may
        // continue with more patience. The monitor chooses the best model; validationAccuracy is
        // what a run without early stopping keeps, so only the other one is part of the hash.
        JsonNode early = training.remove("earlyStopping");
        if (early != null && "validationLoss".equals(early.path("monitor").asText())) {
            training.putObject("earlyStopping").put("monitor", "validationLoss");
        }
        defining.set("training", training);
        defining.set("precision", full.with("communication").get("precision"));
        return defining;
    }

    private static void compare(String path, JsonNode before, JsonNode after, List<String> found) {
        if (before != null && after != null && before.isObject() && after.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            before.fieldNames().forEachRemaining(names::add);
            after.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String child =
                        path.equals("spec") && name.equals("precision")
                                ? "communication.precision"
                                : name;
                compare(path + "." + child, before.get(name), after.get(name), found);
            }
        } else if (!Objects.equals(present(before), present(after))) {
            found.add(path + ": " + shown(before) + " -> " + shown(after));
        }
    }

    private static JsonNode present(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private static String shown(JsonNode node) {
        return present(node) == null ? "absent" : node.toString();
    }
}
