package dev.sharpness.trainer.fidelity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.ModelSpec.Architecture;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.export.Safetensors;
import dev.sharpness.trainer.export.TorchNames;
import dev.sharpness.trainer.optim.LearningRateSchedule;
import dev.sharpness.trainer.optim.Optimizers;
import dev.sharpness.trainer.optim.TrainingMethod;
import dev.sharpness.trainer.training.Network;
import dev.sharpness.trainer.training.NetworkObjective;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;

/**
 * The trainer's side of the comparison: a network built from a seed, trained for a number of steps
 * by the method an {@link OptimizerSpec} names, through the same classes {@code sam-trainer run}
 * uses ({@link Network}, {@link NetworkObjective}, {@link Optimizers#method}, {@link
 * LearningRateSchedule}), with the whole run as one epoch.
 */
final class TrainerTrajectory {
    private TrainerTrajectory() {}

    /**
     * Writes the network's tensors (parameters and BatchNorm statistics, under their PyTorch names)
     * before training to {@code initial}, trains {@code steps} steps, and writes them again to
     * {@code result}.
     */
    static void run(
            Architecture architecture,
            long seed,
            OptimizerSpec spec,
            FidelityBatches batches,
            int steps,
            Path initial,
            Path result)
            throws IOException {
        LearningRateSchedule schedule =
                new LearningRateSchedule(
                        spec.getSchedule(), spec.getBase().getLearningRate(), steps, 1);
        try (NDManager root = NDManager.newBaseManager();
                Network network =
                        Network.create(
                                architecture,
                                FidelityBatches.CHANNELS,
                                FidelityBatches.IMAGE_SIZE,
                                FidelityBatches.CLASSES,
                                seed,
                                root)) {
            write(architecture, network, initial);
            NetworkObjective objective = new NetworkObjective(network, 0, FidelityBatches.CLASSES);
            TrainingMethod<Batch> method = Optimizers.method(spec, objective, root);
            for (long t = 0; t < steps; t++) {
                try (NDManager scope = root.newSubManager()) {
                    method.step(t, batches, schedule.at(t), scope);
                }
            }
            write(architecture, network, result);
        }
    }

    private static void write(Architecture architecture, Network network, Path file)
            throws IOException {
        Map<String, NDArray> tensors = network.tensors();
        Map<String, String> names = TorchNames.of(architecture, new ArrayList<>(tensors.keySet()));
        Safetensors out = new Safetensors();
        names.forEach(
                (trainer, torch) -> {
                    NDArray t = tensors.get(trainer);
                    out.put(
                            torch,
                            Safetensors.Tensor.f32(t.getShape().getShape(), t.toFloatArray()));
                });
        out.write(file);
    }
}
