package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/**
 * What to train and how: everything but {@code model}, {@code dataset} and the method has a
 * default.
 */
public class SamTrainingJobSpec {
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
}
