package dev.sharpness.trainer.cli;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.trainer.checkpoint.CheckpointStore;
import dev.sharpness.trainer.report.ConsoleProgress;
import dev.sharpness.trainer.report.RunOutputs;
import dev.sharpness.trainer.report.SummaryTable;
import dev.sharpness.trainer.training.RunSummary;
import dev.sharpness.trainer.training.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sam-trainer run MANIFEST}: trains the job here, writes the run folder, prints a summary.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Train the SamTrainingJob in MANIFEST on this machine.")
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MANIFEST", description = "A SamTrainingJob YAML file.")
    Path manifest;

    @Option(
            names = "--serial",
            description =
                    "SAMPa: run both workers' roles in this one process (the emulation the pair is"
                            + " checked against) instead of two worker processes.")
    boolean serial;

    @Mixin RunOptions options = new RunOptions();

    @Override
    public Integer call() throws IOException, InterruptedException {
        EngineSetup.configure(options.threads);
        SamTrainingJob job = ManifestLoader.load(manifest, options.overrides);
        String name = job.getMetadata().getName();
        Path runDirectory = options.runDirectory(name);
        Files.createDirectories(runDirectory);
        Files.writeString(runDirectory.resolve("job.yaml"), ManifestLoader.toYaml(job));
        Path manifestDirectory = manifest.toAbsolutePath().getParent();
        if (!options.resume) {
            discardEarlierCheckpoints(job, runDirectory);
        }
        if (job.getSpec().getOptimizer().getMethod() == OptimizerSpec.Method.SAMPA && !serial) {
            int code =
                    PairLauncher.run(
                            manifest,
                            runDirectory,
                            options.overrides,
                            options.threads,
                            options.resume);
            if (code == ExitCodes.OK) {
                System.out.println();
                System.out.print(SummaryTable.render(RunOutputs.read(runDirectory), runDirectory));
            }
            return code;
        }
        RunSummary summary;
        try {
            summary =
                    new TrainingRun(
                                    job,
                                    manifestDirectory,
                                    runDirectory,
                                    options.resume,
                                    ConsoleProgress.forStandardOutput(name))
                            .execute();
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException(e.getMessage(), e);
        }
        RunOutputs.write(runDirectory, summary);
        System.out.println();
        System.out.print(SummaryTable.render(summary, runDirectory));
        return ExitCodes.OK;
    }

    /**
     * A fresh run in a folder that holds an earlier run's checkpoints starts over, as asked: the
     * old checkpoints would otherwise mix with the new ones.
     */
    private static void discardEarlierCheckpoints(SamTrainingJob job, Path runDirectory)
            throws IOException {
        Path directory = TrainingRun.checkpointDirectory(job.getSpec(), runDirectory);
        List<Path> earlier = new CheckpointStore(directory, Integer.MAX_VALUE).list();
        for (Path file : earlier) {
            Files.delete(file);
        }
        if (!earlier.isEmpty()) {
            System.out.printf(
                    "starting fresh: removed %d checkpoint(s) of an earlier run in %s (--resume continues one instead)%n",
                    earlier.size(), directory);
        }
    }
}
