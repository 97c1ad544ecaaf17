package dev.sharpness.trainer.cli;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.trainer.data.DataOrder;
import dev.sharpness.trainer.data.DatasetLoader;
import dev.sharpness.trainer.data.TrainingData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sam-trainer validate MANIFEST}: everything {@code run} checks before it trains (the
 * manifest against the API's rules, then the data it names), without training or writing anything.
 * Prints the effective manifest, every default filled in, and exits 0, or 2 naming what is wrong.
 */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Check MANIFEST as `run` would (the API's rules, then its data) without training.",
            "Prints the effective manifest with every default filled in; exits 0, or 2 naming the"
                    + " field or file that is wrong."
        })
final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MANIFEST", description = "A SamTrainingJob YAML file.")
    Path manifest;

    @Option(
            names = "--set",
            paramLabel = "PATH=VALUE",
            description = "Override a field, as with run (e.g. spec.training.epochs=5).")
    List<String> overrides = List.of();

    @Spec CommandSpec command;

    @Override
    public Integer call() {
        SamTrainingJob job = ManifestLoader.load(manifest, overrides);
        SamTrainingJobSpec spec = job.getSpec();
        TrainingData data =
                DatasetLoader.load(
                        spec.getDataset(),
                        manifest.toAbsolutePath().getParent(),
                        spec.getTraining().getSeed());
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        out.print(ManifestLoader.toYaml(effective(job)));
        out.flush();
        JobWarnings.print(job, data.train().size(), false, err);
        int steps = DataOrder.stepsPerEpoch(data.train().size(), spec.getTraining().getBatchSize());
        err.printf(
                "%s: valid. Data: %s; %d steps per epoch, %d epochs.%n",
                manifest, data.description(), steps, spec.getTraining().getEpochs());
        return ExitCodes.OK;
    }

    /** The job with its method's own section written out even where the manifest left it out. */
    private static SamTrainingJob effective(SamTrainingJob job) {
        OptimizerSpec optimizer = job.getSpec().getOptimizer();
        switch (optimizer.getMethod()) {
            case KSAM -> optimizer.setKsam(optimizer.ksamOrDefaults());
            case LOOKSAM -> optimizer.setLookSam(optimizer.lookSamOrDefaults());
            case SAMPA -> optimizer.setSampa(optimizer.sampaOrDefaults());
            default -> {}
        }
        return job;
    }
}
