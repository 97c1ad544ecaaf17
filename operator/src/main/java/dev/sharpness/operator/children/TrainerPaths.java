package dev.sharpness.operator.children;

import dev.sharpness.api.manifest.TrainingIdentity;
import dev.sharpness.api.v1alpha1.CheckpointSpec;
import dev.sharpness.api.v1alpha1.DatasetSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.worker.WorkerFiles;

/** Where things are inside a trainer pod (DESIGN.md's trainer contract). */
public final class TrainerPaths {
    /** The ConfigMap's folder; the manifest is {@link #MANIFEST}. */
    public static final String CONFIG_DIRECTORY = WorkerFiles.CONFIG_DIRECTORY;

    public static final String MANIFEST_KEY = WorkerFiles.MANIFEST_KEY;
    public static final String MANIFEST = WorkerFiles.MANIFEST;
    public static final String TOKEN_DIRECTORY = "/var/run/sam";
    public static final String TOKEN_KEY = "token";
    public static final String TOKEN_FILE = TOKEN_DIRECTORY + "/" + TOKEN_KEY;
    public static final String DEFAULT_CHECKPOINT_MOUNT = "/checkpoints";
    public static final String DEFAULT_DATA_MOUNT = "/data";
    public static final String TMP = "/tmp";
    public static final int METRICS_PORT = 9090;

    private TrainerPaths() {}

    /** Where the checkpoint volume is mounted. */
    public static String checkpointMount(SamTrainingJob job) {
        CheckpointSpec checkpoint = job.getSpec().getCheckpoint();
        return checkpoint.getPath() != null ? checkpoint.getPath() : DEFAULT_CHECKPOINT_MOUNT;
    }

    /** Where the data claim is mounted: the dataset path, or /data when the job names none. */
    public static String dataMount(SamTrainingJob job) {
        DatasetSpec dataset = job.getSpec().getDataset();
        return dataset.getPath() != null ? dataset.getPath() : DEFAULT_DATA_MOUNT;
    }

    /**
     * This job's folder on the checkpoint volume. Jobs may share a claim, and a job deleted and
     * created again under the same name starts afresh, hence the uid.
     */
    public static String jobFolder(SamTrainingJob job) {
        String uid = job.getMetadata().getUid();
        String suffix = uid == null ? "" : "-" + uid.substring(0, Math.min(8, uid.length()));
        return checkpointMount(job) + "/" + job.getMetadata().getName() + suffix;
    }

    /**
     * The checkpoints of this job's current training spec. A spec changed while suspended is a
     * different trajectory: it starts from step 0 in its own folder, and changing back resumes the
     * old one.
     */
    public static String checkpointFolder(SamTrainingJob job) {
        return jobFolder(job)
                + "/checkpoints-"
                + TrainingIdentity.hash(job.getSpec()).substring(0, 12);
    }

    /**
     * A rank's run folder: rank 0's, or {@code rank-<n>/} inside it (the local layout of {@code
     * sam-trainer run}). Both ranks of a pair write a summary.json, and on a claim they share rank
     * 1's must not replace rank 0's.
     */
    public static String runFolder(SamTrainingJob job, int rank) {
        String run = jobFolder(job) + "/run";
        return rank == 0 ? run : run + "/rank-" + rank;
    }
}
