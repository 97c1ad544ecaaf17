package dev.sharpness.trainer.cli;

import dev.sharpness.trainer.data.ImageSet;
import dev.sharpness.trainer.inference.Evaluation;
import dev.sharpness.trainer.inference.EvaluationReport;
import dev.sharpness.trainer.inference.TrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sam-trainer evaluate RUN_DIR|CHECKPOINT}: loss, accuracy and confusion of a model. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description =
                "Loss, accuracy, per-class accuracy and the confusion matrix (table and PNG) of a"
                        + " trained model on the test split of its job's data, or of other data"
                        + " of the same shape (--set spec.dataset.path=...).")
final class EvaluateCommand implements Callable<Integer> {
    enum Split {
        test,
        validation,
        train
    }

    @Mixin ModelSource model = new ModelSource();

    @Option(
            names = "--split",
            paramLabel = "SPLIT",
            description = "test (default), validation or train.")
    Split split = Split.test;

    @Option(
            names = "--png",
            paramLabel = "FILE",
            description =
                    "Confusion matrix image (default: confusion-<split>.png in the run folder).")
    Path png;

    @Override
    public Integer call() throws IOException {
        EngineSetup.configure(model.threads);
        try (TrainedModel trained = TrainedModel.open(model.source, model.overrides)) {
            ImageSet set =
                    switch (split) {
                        case test -> trained.data().test();
                        case validation -> trained.data().validation();
                        case train -> trained.data().train();
                    };
            if (set.size() == 0) {
                throw new InvalidJobException(
                        "the " + split + " split is empty (spec.dataset.validationFraction is 0?)",
                        null);
            }
            Evaluation evaluation = Evaluation.of(trained, set);
            Path image =
                    png != null
                            ? png
                            : trained.runDirectory().resolve("confusion-" + split + ".png");
            String title =
                    String.format(
                            Locale.ROOT,
                            "%s, %s split: accuracy %.2f%%",
                            trained.job().getMetadata().getName(),
                            split,
                            100 * evaluation.accuracy());
            EvaluationReport.writePng(evaluation, trained.classNames(), title, image);
            System.out.printf("model     %s (step %d)%n", trained.checkpoint(), trained.step());
            System.out.printf("data      %s split, %d samples%n%n", split, set.size());
            System.out.print(EvaluationReport.table(evaluation, trained.classNames()));
            System.out.printf("%nconfusion matrix: %s%n", image);
            return ExitCodes.OK;
        }
    }
}
