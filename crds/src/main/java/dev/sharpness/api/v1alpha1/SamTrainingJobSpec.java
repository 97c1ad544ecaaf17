package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What to train and how: everything but {@code model}, {@code dataset} and the method has a
 * default.
 */
@ValidationRule(
        value = SamTrainingJobSpec.TRAINING_UNCHANGED_UNLESS_SUSPENDED,
        message =
                "model, dataset, optimizer, training and communication can only change while the"
                        + " job is suspended (set spec.suspend: true first)")
@ValidationRule(
        value = SamTrainingJobSpec.SHARPNESS_STARTS_WITHIN_THE_RUN,
        message = "optimizer.sharpnessFrom.epoch must be at most training.epochs")
@ValidationRule(
        value = SamTrainingJobSpec.PAIR_CAN_SPLIT_ITS_BATCHES,
        message =
                "a SAMPa pair splits each batch between its workers before"
                        + " optimizer.sharpnessFrom: training.batchSize must be at least 2")
@ValidationRule(
        value = SamTrainingJobSpec.EARLY_STOPPING_NEEDS_VALIDATION,
        message =
                "training.earlyStopping watches the validation set: dataset.validationFraction"
                        + " must be above 0")
public class SamTrainingJobSpec {
    /**
     * A running pair holds state that these fields define; changing them under it would either be
     * ignored or break the resume. Optional sections are compared as present-and-equal or
     * both-absent, since CEL fails on a missing key.
     */
    static final String TRAINING_UNCHANGED_UNLESS_SUSPENDED =
            "(has(oldSelf.suspend) && oldSelf.suspend) || (self.model == oldSelf.model"
                    + " && self.dataset == oldSelf.dataset && self.optimizer == oldSelf.optimizer"
                    + " && (has(self.training) ? has(oldSelf.training) && self.training =="
                    + " oldSelf.training : !has(oldSelf.training))"
                    + " && (has(self.communication) ? has(oldSelf.communication) &&"
                    + " self.communication == oldSelf.communication : !has(oldSelf.communication)))";

    /** training.epochs defaults to 10 ({@link TrainingSpec}); CEL sees it only when written. */
    static final String SHARPNESS_STARTS_WITHIN_THE_RUN =
            "!has(self.optimizer.sharpnessFrom) || !has(self.optimizer.sharpnessFrom.epoch)"
                    + " || self.optimizer.sharpnessFrom.epoch <= (has(self.training) &&"
                    + " has(self.training.epochs) ? self.training.epochs : 10)";

    /** Before sharpnessFrom a SAMPa pair gives each worker half of every batch. */
    static final String PAIR_CAN_SPLIT_ITS_BATCHES =
            "self.optimizer.method != 'SAMPa' || !has(self.optimizer.sharpnessFrom)"
                    + " || !has(self.training) || !has(self.training.batchSize)"
                    + " || self.training.batchSize >= 2";

    /** dataset.validationFraction defaults to 0.1 ({@link DatasetSpec}). */
    static final String EARLY_STOPPING_NEEDS_VALIDATION =
            "!has(self.training) || !has(self.training.earlyStopping)"
                    + " || !has(self.dataset.validationFraction)"
                    + " || self.dataset.validationFraction > 0.0";

    @Required
    @JsonPropertyDescription("The network to train.")
    private ModelSpec model;

    @Required
    @JsonPropertyDescription("Where the training data comes from and how it is prepared.")
    private DatasetSpec dataset;

    @Required
    @JsonPropertyDescription("The sharpness-aware method, its parameters and the base optimizer.")
    private OptimizerSpec optimizer;

    @JsonPropertyDescription("Epochs, batch size, seed and other settings of the training loop.")
    private TrainingSpec training = new TrainingSpec();

    @JsonPropertyDescription(
            "How a SAMPa pair exchanges gradients: port, wire precision, timeouts.")
    private CommunicationSpec communication = new CommunicationSpec();

    @JsonPropertyDescription("Where and how often the trainer writes checkpoints to resume from.")
    private CheckpointSpec checkpoint = new CheckpointSpec();

    @JsonPropertyDescription("The trainer containers: image, resources, pod additions.")
    private WorkerSpec worker = new WorkerSpec();

    @JsonPropertyDescription(
            "Placement of the pair, priority, scheduler, Kueue queue and the startup deadline.")
    private SchedulingSpec scheduling = new SchedulingSpec();

    @JsonPropertyDescription("Restarts: how many, how far apart, and which failures are final.")
    private FailurePolicySpec failurePolicy = new FailurePolicySpec();

    @Default("false")
    @JsonPropertyDescription(
            "true deletes the pods and keeps the checkpoint; false again resumes from it.")
    private boolean suspend = false;

    @Min(1)
    @JsonPropertyDescription(
            "Seconds from the job's start after which it fails (DeadlineExceeded). Absent: none.")
    private Long activeDeadlineSeconds;

    @Default("1800")
    @Min(60)
    @JsonPropertyDescription(
            "Seconds without a new training step, while all pods run, after which the job is"
                    + " Stalled and the pair restarted.")
    private int progressDeadlineSeconds = 1800;

    @Min(0)
    @JsonPropertyDescription(
            "Seconds after the job finished before it is deleted (0: at once). Absent: kept.")
    private Integer ttlSecondsAfterFinished;

    public ModelSpec getModel() {
        return model;
    }

    public void setModel(ModelSpec model) {
        this.model = model;
    }

    public DatasetSpec getDataset() {
        return dataset;
    }

    public void setDataset(DatasetSpec dataset) {
        this.dataset = dataset;
    }

    public OptimizerSpec getOptimizer() {
        return optimizer;
    }

    public void setOptimizer(OptimizerSpec optimizer) {
        this.optimizer = optimizer;
    }

    public TrainingSpec getTraining() {
        return training;
    }

    public void setTraining(TrainingSpec training) {
        this.training = training;
    }

    public CommunicationSpec getCommunication() {
        return communication;
    }

    public void setCommunication(CommunicationSpec communication) {
        this.communication = communication;
    }

    public CheckpointSpec getCheckpoint() {
        return checkpoint;
    }

    public void setCheckpoint(CheckpointSpec checkpoint) {
        this.checkpoint = checkpoint;
    }

    public WorkerSpec getWorker() {
        return worker;
    }

    public void setWorker(WorkerSpec worker) {
        this.worker = worker;
    }

    public SchedulingSpec getScheduling() {
        return scheduling;
    }

    public void setScheduling(SchedulingSpec scheduling) {
        this.scheduling = scheduling;
    }

    public FailurePolicySpec getFailurePolicy() {
        return failurePolicy;
    }

    public void setFailurePolicy(FailurePolicySpec failurePolicy) {
        this.failurePolicy = failurePolicy;
    }

    public boolean isSuspend() {
        return suspend;
    }

    public void setSuspend(boolean suspend) {
        this.suspend = suspend;
    }

    public Long getActiveDeadlineSeconds() {
        return activeDeadlineSeconds;
    }

    public void setActiveDeadlineSeconds(Long activeDeadlineSeconds) {
        this.activeDeadlineSeconds = activeDeadlineSeconds;
    }

    public int getProgressDeadlineSeconds() {
        return progressDeadlineSeconds;
    }

    public void setProgressDeadlineSeconds(int progressDeadlineSeconds) {
        this.progressDeadlineSeconds = progressDeadlineSeconds;
    }

    public Integer getTtlSecondsAfterFinished() {
        return ttlSecondsAfterFinished;
    }

    public void setTtlSecondsAfterFinished(Integer ttlSecondsAfterFinished) {
        this.ttlSecondsAfterFinished = ttlSecondsAfterFinished;
    }
}
