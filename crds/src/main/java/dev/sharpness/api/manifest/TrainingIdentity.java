package dev.sharpness.api.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash of what defines a training trajectory. A checkpoint remembers it and a run refuses a
 * checkpoint of another; the two ranks of a pair compare it; the operator keeps the checkpoints of
 * different trajectories of one job apart by it.
 *
 * <p>It covers the model, the dataset (but not which claim holds it), the optimizer, the training
 * loop (but not {@code maxSteps}: a run stopped early may continue with a later stop) and the wire
 * precision (bf16 changes the numbers). It leaves out everything about where and how the run is
 * placed, restarted or checkpointed, so suspending a job or raising its restart limit keeps its
 * checkpoints valid.
 */
public final class TrainingIdentity {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingIdentity() {}

    /** Hex SHA-256 of the training-defining fields of {@code spec}, defaults applied. */
    public static String hash(SamTrainingJobSpec spec) {
        ObjectNode full = JSON.valueToTree(spec);
        ObjectNode defining = JSON.createObjectNode();
        defining.set("model", full.get("model"));
        ObjectNode dataset = full.with("dataset");
        dataset.remove("volume");
        defining.set("dataset", dataset);
        defining.set("optimizer", full.get("optimizer"));
        ObjectNode training = full.with("training");
        training.remove("maxSteps");
        defining.set("training", training);
        defining.set("precision", full.with("communication").get("precision"));
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of()
                    .formatHex(digest.digest(defining.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
