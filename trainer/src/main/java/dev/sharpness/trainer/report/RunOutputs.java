package dev.sharpness.trainer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.trainer.training.EpochMetrics;
import dev.sharpness.trainer.training.RunSummary;
import dev.sharpness.trainer.training.listener.StepLog;
import dev.sharpness.trainer.training.listener.StepReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes a finished run's files into its folder: summary.json, metrics.csv (a row per epoch) and
 * curves.png, drawn from metrics.csv's rows and the steps.csv the run's {@link StepLog} wrote.
 */
public final class RunOutputs {
    public static final String SUMMARY = "summary.json";
    public static final String METRICS = "metrics.csv";
    public static final String CURVES = "curves.png";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunOutputs() {}

    /** {@code spec}: the job's spec, whose method and main settings title curves.png. */
    public static void write(Path directory, RunSummary summary, SamTrainingJobSpec spec) {
        try {
            Files.createDirectories(directory);
            JSON.writeValue(directory.resolve(SUMMARY).toFile(), summary);
            Files.writeString(directory.resolve(METRICS), csv(summary.history()));
            List<StepReport> steps = StepLog.read(directory.resolve(StepLog.FILE));
            if (!summary.history().isEmpty() || !steps.isEmpty()) {
                LearningCurves.write(summary, steps, RunTitle.of(spec), directory.resolve(CURVES));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run's outputs to " + directory, e);
        }
    }

    /** The summary a finished run left in {@code directory}. */
    public static RunSummary read(Path directory) throws IOException {
        return JSON.readValue(directory.resolve(SUMMARY).toFile(), RunSummary.class);
    }

    static String csv(List<EpochMetrics> history) {
        StringBuilder out =
                new StringBuilder(
                        "epoch,step,learning_rate,train_loss,train_accuracy,validation_loss,"
                                + "validation_accuracy,test_loss,test_accuracy,"
                                + "sequential_gradients,wall_seconds\n");
        for (EpochMetrics m : history) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%d,%.6g,%.6f,%.6f,%s,%s,%.6f,%.6f,%d,%.3f%n",
                            m.epoch() + 1,
                            m.step(),
                            m.learningRate(),
                            m.trainLoss(),
                            m.trainAccuracy(),
                            optional(m.validationLoss()),
                            optional(m.validationAccuracy()),
                            m.testLoss(),
                            m.testAccuracy(),
                            m.sequentialGradients(),
                            m.wallSeconds()));
        }
        return out.toString();
    }

    private static String optional(Double value) {
        return value == null ? "" : String.format(Locale.ROOT, "%.6f", value);
    }
}
