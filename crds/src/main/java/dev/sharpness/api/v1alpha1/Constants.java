package dev.sharpness.api.v1alpha1;

/**
 * Names of the {@code SamTrainingJob} API that the CRD, the operator, the trainer and manifests
 * share: group and version, label keys, condition types and reasons.
 */
public final class Constants {
    public static final String GROUP = "sharpness.dev";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String KIND = "SamTrainingJob";
    public static final String PLURAL = "samtrainingjobs";
    public static final String SHORT_NAME = "samjob";

    /**
     * Longest job name: the pods are {@code <job>-0} and {@code <job>-1}, and a pod's host name (a
     * DNS label) is at most 63 characters.
     */
    public static final int MAX_NAME_LENGTH = 61;

    /** Pod and Service names derive from the job name, so it must stay a DNS-1035 label. */
    public static final String DNS_1035_LABEL = "^[a-z]([-a-z0-9]{0,59}[a-z0-9])?$";

    /** Names of other Kubernetes objects (claims, priority classes, service accounts). */
    public static final String DNS_1123_SUBDOMAIN =
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /** As {@link #DNS_1123_SUBDOMAIN}, or empty (meaning: not set). */
    public static final String DNS_1123_SUBDOMAIN_OR_EMPTY =
            "^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    // Labels on everything the operator creates for a job.
    public static final String LABEL_JOB = GROUP + "/job";
    public static final String LABEL_RANK = GROUP + "/rank";
    public static final String LABEL_ROLE = GROUP + "/role";
    public static final String LABEL_ATTEMPT = GROUP + "/attempt";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "sam-operator";

    // Condition types (metav1.Condition).
    public static final String CONDITION_SUSPENDED = "Suspended";
    public static final String CONDITION_PODS_READY = "PodsReady";
    public static final String CONDITION_RESTARTING = "Restarting";
    public static final String CONDITION_STALLED = "Stalled";
    public static final String CONDITION_COMPLETE = "Complete";
    public static final String CONDITION_FAILED = "Failed";

    // Condition reasons (CamelCase, as Kubernetes asks).
    public static final String REASON_BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded";
    public static final String REASON_DEADLINE_EXCEEDED = "DeadlineExceeded";
    public static final String REASON_STARTUP_TIMEOUT = "StartupTimeout";
    public static final String REASON_PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
    public static final String REASON_INVALID_SPEC = "InvalidSpec";
    public static final String REASON_PREEMPTED = "Preempted";
    public static final String REASON_PEER_LOST = "PeerLost";
    public static final String REASON_REPLICA_MISMATCH = "ReplicaMismatch";
    public static final String REASON_DIVERGED = "Diverged";
    public static final String REASON_WORKER_FAILED = "WorkerFailed";
    public static final String REASON_POD_DELETED = "PodDeleted";
    public static final String REASON_SUSPENDED = "SuspendedByUser";
    public static final String REASON_RESUMED = "Resumed";
    public static final String REASON_ALL_RUNNING = "AllWorkersRunning";
    public static final String REASON_WAITING = "WaitingForWorkers";
    public static final String REASON_TRAINING_FINISHED = "TrainingFinished";
    public static final String REASON_PROGRESSING = "Progressing";

    /** Event: a SAMPa pair's swap takes as long as its gradient pass (see {@code SwapPace}). */
    public static final String REASON_SWAP_OUTLASTS_PASS = "SwapOutlastsGradientPass";

    private Constants() {}
}
