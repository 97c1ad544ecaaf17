package dev.sharpness.api.worker;

/** The files a worker reads and writes in its pod, at the same place on both sides. */
public final class WorkerFiles {
    /** The folder the job's ConfigMap is mounted at. */
    public static final String CONFIG_DIRECTORY = "/etc/sam";

    /**
     * The ConfigMap's key for the manifest, and so the file's name in {@link #CONFIG_DIRECTORY}.
     */
    public static final String MANIFEST_KEY = "job.yaml";

    /** The job manifest, defaults written out, as the worker reads it. */
    public static final String MANIFEST = CONFIG_DIRECTORY + "/" + MANIFEST_KEY;

    /**
     * Where the worker writes its {@link TerminationMessage}; Kubernetes keeps the text in the pod
     * status (the container's default {@code terminationMessagePath}).
     */
    public static final String TERMINATION_LOG = "/dev/termination-log";

    private WorkerFiles() {}
}
