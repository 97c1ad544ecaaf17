package dev.sharpness.operator.children;

import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** Names of what the operator creates for a job, and the ranks a job runs. */
public final class JobNames {
    /**
     * Labels the operator's own pods carry (the chart sets them whatever the release is called);
     * the NetworkPolicy admits pods with both to the exchange port, for progress calls.
     */
    public static final Map<String, String> OPERATOR_POD_LABELS =
            Map.of(
                    "app.kubernetes.io/part-of", "sam-operator",
                    "app.kubernetes.io/component", "operator");

    /** Kubernetes' limit on a label value. */
    public static final int LABEL_VALUE_LIMIT = 63;

    private JobNames() {}

    public static String configMap(SamTrainingJob job) {
        return job.getMetadata().getName() + "-config";
    }

    public static String secret(SamTrainingJob job) {
        return job.getMetadata().getName() + "-exchange";
    }

    public static String service(SamTrainingJob job) {
        return job.getMetadata().getName();
    }

    public static String networkPolicy(SamTrainingJob job) {
        return job.getMetadata().getName() + "-exchange";
    }

    public static String pod(SamTrainingJob job, int rank) {
        return job.getMetadata().getName() + "-" + rank;
    }

    /**
     * The name of one attempt's pod group (Kueue's pod-group label): {@code <job>-<attempt>}, which
     * as a label value must fit 63 characters for any attempt. A name too long for that keeps its
     * start, then a hash of the whole job name (so two long names that share a start stay apart),
     * then the attempt.
     */
    public static String podGroup(SamTrainingJob job, int attempt) {
        String name = job.getMetadata().getName();
        String suffix = "-" + attempt;
        if (name.length() + suffix.length() <= LABEL_VALUE_LIMIT) {
            return name + suffix;
        }
        String hash = "-" + hash(name);
        int keep = LABEL_VALUE_LIMIT - hash.length() - suffix.length();
        // A label value must end with an alphanumeric character before the next '-'.
        String start = name.substring(0, keep).replaceAll("[-.]+$", "");
        return start + hash + suffix;
    }

    /** The first 8 hex digits of the name's SHA-256. */
    private static String hash(String name) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Two ranks for SAMPa, one for the single-worker methods. */
    public static int workers(SamTrainingJob job) {
        return job.getSpec().getOptimizer().getMethod() == OptimizerSpec.Method.SAMPA ? 2 : 1;
    }

    /** What a rank computes: perturbed (SAMPa rank 0), auxiliary (rank 1), or single. */
    public static String role(SamTrainingJob job, int rank) {
        if (workers(job) == 1) {
            return "single";
        }
        return rank == 0 ? "perturbed" : "auxiliary";
    }
}
