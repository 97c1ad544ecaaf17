package dev.sharpness.trainer.cli;

import dev.sharpness.api.v1alpha1.KSamSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What a valid job may say that is unlikely to be meant: each is a warning, and the run goes on,
 * because each has a well-defined meaning someone may want (an ablation, a tiny smoke run).
 */
final class JobWarnings {
    private JobWarnings() {}

    /**
     * Writes {@link #of}'s warnings to {@code err}, each as one {@code sam-trainer: warning:} line.
     */
    static void print(SamTrainingJob job, int trainSamples, boolean serial, PrintWriter err) {
        for (String warning : of(job, trainSamples, serial)) {
            err.println("sam-trainer: warning: " + warning);
        }
    }

    /**
     * The warnings for {@code job} on a training set of {@code trainSamples} samples, run {@code
     * serial} or not; one line each, without a prefix.
     */
    static List<String> of(SamTrainingJob job, int trainSamples, boolean serial) {
        List<String> warnings = new ArrayList<>();
        OptimizerSpec optimizer = job.getSpec().getOptimizer();
        OptimizerSpec.Method method = optimizer.getMethod();
        int batchSize = job.getSpec().getTraining().getBatchSize();
        if (batchSize > trainSamples) {
            // DataOrder: a set smaller than a batch is one batch of all its samples per epoch.
            warnings.add(
                    "spec.training.batchSize "
                            + batchSize
                            + " is larger than the training set ("
                            + trainSamples
                            + " samples after the validation split): each epoch is one step of"
                            + " all "
                            + trainSamples
                            + " samples");
        }
        KSamSpec ksam = optimizer.getKsam();
        if (method == OptimizerSpec.Method.KSAM
                && ksam != null
                && ksam.getTopK() != null
                && ksam.getTopK() > Math.min(batchSize, trainSamples)) {
            warnings.add(
                    "spec.optimizer.ksam.topK "
                            + ksam.getTopK()
                            + " is larger than the batch ("
                            + Math.min(batchSize, trainSamples)
                            + " samples): K-SAM uses the whole batch, the same as SAM");
        }
        if (method != OptimizerSpec.Method.SGD && optimizer.getRho() == 0) {
            warnings.add(
                    "spec.optimizer.rho is 0: "
                            + (method == OptimizerSpec.Method.SAMPA ? "SAMPa" : method)
                            + " takes plain gradient steps (as SGD) at the cost of its extra"
                            + " gradient computations");
        }
        if (serial && method != OptimizerSpec.Method.SAMPA) {
            warnings.add(
                    "--serial applies only to SAMPa; ignored for method "
                            + (method == OptimizerSpec.Method.LOOKSAM ? "LookSAM" : method));
        }
        return warnings;
    }
}
