package dev.sharpness.operator.children;

import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
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
