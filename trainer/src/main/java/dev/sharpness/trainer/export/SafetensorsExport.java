package dev.sharpness.trainer.export;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sharpness.api.v1alpha1.DatasetSpec.Format;
import dev.sharpness.trainer.data.Normalization;
import dev.sharpness.trainer.inference.TrainedModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;

/**
 * A trained model as a safetensors file: every parameter and BatchNorm statistic under its PyTorch
 * name ({@link TorchNames}), each BatchNorm's {@code num_batches_tracked} (0; only training uses
 * it) so that {@code load_state_dict} finds every key, and in {@code __metadata__} what it takes to
 * run it: architecture, classes and their names, input shape (C, H, W), the pixel normalization,
 * and the BatchNorm epsilon.
 */
public final class SafetensorsExport {
    /** DJL's BatchNorm default, which the trainer's models use; PyTorch's is the same. */
    public static final double BATCH_NORM_EPSILON = 1e-5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsExport() {}

    public static Safetensors of(TrainedModel model) {
        var architecture = model.job().getSpec().getModel().getArchitecture();
        Map<String, NDArray> tensors = model.network().tensors();
        Map<String, String> names = TorchNames.of(architecture, new ArrayList<>(tensors.keySet()));
        Safetensors file = new Safetensors();
        names.forEach(
                (trainer, torch) -> {
                    NDArray t = tensors.get(trainer);
                    file.put(
                            torch,
                            Safetensors.Tensor.f32(t.getShape().getShape(), t.toFloatArray()));
                });
        for (String bn : TorchNames.batchNorms(names.values())) {
            file.put(
                    bn + ".num_batches_tracked",
                    Safetensors.Tensor.i64(new long[0], new long[] {0}));
        }
        int[] shape = model.inputShape();
        try {
            file.metadata("format", "pt")
                    .metadata("architecture", JSON.convertValue(architecture, String.class))
                    .metadata("classes", Integer.toString(model.classes()))
                    .metadata("class_names", JSON.writeValueAsString(model.classNames()))
                    .metadata("input_shape", JSON.writeValueAsString(shape))
                    .metadata("normalization", normalization(model))
                    .metadata("batch_norm_eps", Double.toString(BATCH_NORM_EPSILON))
                    .metadata("step", Long.toString(model.step()))
                    .metadata("job", model.job().getMetadata().getName());
        } catch (IOException e) {
            throw new IllegalStateException("lists always serialize", e);
        }
        return file;
    }

    /**
     * {"mean": [...], "std": [...]} of {@code (pixel / 255 - mean) / std}, or why there is none.
     */
    private static String normalization(TrainedModel model) throws IOException {
        Format format = model.job().getSpec().getDataset().getFormat();
        if (format == Format.SYNTHETIC) {
            return "none: synthetic data is generated normalized";
        }
        Normalization n = Normalization.of(format);
        ObjectNode node = JSON.createObjectNode();
        node.putPOJO("mean", n.mean());
        node.putPOJO("std", n.std());
        node.put("pixel", "(byte / 255 - mean) / std, per channel");
        return JSON.writeValueAsString(node);
    }
}
