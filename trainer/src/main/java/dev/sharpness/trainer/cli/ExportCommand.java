package dev.sharpness.trainer.cli;

import dev.sharpness.api.v1alpha1.ModelSpec.Architecture;
import dev.sharpness.trainer.export.Safetensors;
import dev.sharpness.trainer.export.SafetensorsExport;
import dev.sharpness.trainer.export.TorchNames;
import dev.sharpness.trainer.inference.TrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sam-trainer export RUN_DIR|CHECKPOINT --format safetensors}: the model for PyTorch. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description =
                "Write a trained model's parameters and BatchNorm statistics under the names of"
                        + " the equivalent PyTorch module (docs/export.md), with the architecture,"
                        + " classes, input shape and normalization in the metadata.")
final class ExportCommand implements Callable<Integer> {
    enum Format {
        safetensors
    }

    @Mixin ModelSource model = new ModelSource();

    @Option(
            names = "--format",
            required = true,
            paramLabel = "FORMAT",
            description = "safetensors.")
    Format format;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Where to write (default: model.safetensors in the run folder).")
    Path out;

    @Override
    public Integer call() throws IOException {
        EngineSetup.configure(model.threads);
        try (TrainedModel trained = TrainedModel.open(model.source, model.overrides)) {
            Architecture architecture = trained.job().getSpec().getModel().getArchitecture();
            if (!TorchNames.exportable(architecture)) {
                throw new InvalidJobException(
                        "spec.model.architecture: " + TorchNames.notExportable(architecture));
            }
            Safetensors file = SafetensorsExport.of(trained);
            Path target = out != null ? out : trained.runDirectory().resolve("model.safetensors");
            try {
                file.write(target);
            } catch (IOException e) {
                throw new InvalidJobException("cannot write " + target + ": " + e.getMessage(), e);
            }
            System.out.printf(
                    "wrote %s (%d bytes) from %s (step %d)%n",
                    target, Files.size(target), trained.checkpoint(), trained.step());
            return ExitCodes.OK;
        }
    }
}
