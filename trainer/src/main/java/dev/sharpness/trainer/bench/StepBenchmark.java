package dev.sharpness.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.optim.Optimizers;
import dev.sharpness.trainer.optim.TrainingMethod;
import dev.sharpness.trainer.training.Network;
import dev.sharpness.trainer.training.NetworkObjective;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-step wall time of training methods on one model and batch shape, measured side by side:
 * rounds alternate between the methods so that a noisy neighbour slows all of them alike. A round's
 * sample is its mean step time (LookSAM's steps differ by design; a round of a multiple of its
 * interval averages them fairly), and the report is each method's median round as a ratio to the
 * first method's.
 */
public final class StepBenchmark {
    /** What to measure. */
    public record Settings(
            ModelSpec.Architecture architecture,
            int channels,
            int imageSize,
            int classes,
            int batchSize,
            List<OptimizerSpec> methods,
            int warmupSteps,
            int stepsPerRound,
            int rounds) {}

    /** One method's mean step time per round, in milliseconds. */
    public record Result(
            String method, double medianMillis, double p90Millis, double ratio, double[] samples) {}

    private StepBenchmark() {}

    public static List<Result> run(Settings s) {
        Map<String, double[]> times = new LinkedHashMap<>();
        try (NDManager root = NDManager.newBaseManager()) {
            NDArray images =
                    root.randomNormal(
                            new Shape(s.batchSize(), s.channels(), s.imageSize(), s.imageSize()));
            NDArray labels =
                    root.randomInteger(0, s.classes(), new Shape(s.batchSize()), DataType.INT32);
            Batch batch = new Batch(images, labels, new int[s.batchSize()]);
            List<TrainingMethod<Batch>> methods = new ArrayList<>();
            for (OptimizerSpec spec : s.methods()) {
                Network network =
                        Network.create(
                                s.architecture(),
                                s.channels(),
                                s.imageSize(),
                                s.classes(),
                                1,
                                root);
                methods.add(
                        Optimizers.method(
                                spec, new NetworkObjective(network, 0, s.classes()), root));
                times.put(name(spec), new double[s.rounds()]);
            }
            measure(s, methods, times.values(), batch, root);
        }
        return results(times);
    }

    /** Warms each method up, then fills each series with its mean step time per round. */
    private static void measure(
            Settings s,
            List<TrainingMethod<Batch>> methods,
            Iterable<double[]> times,
            Batch batch,
            NDManager root) {
        long[] nextStep = new long[methods.size()];
        for (int k = 0; k < methods.size(); k++) {
            for (int i = 0; i < s.warmupSteps(); i++) {
                step(methods.get(k), nextStep[k]++, batch, root);
            }
        }
        for (int round = 0; round < s.rounds(); round++) {
            int k = 0;
            for (double[] series : times) {
                double total = 0;
                for (int i = 0; i < s.stepsPerRound(); i++) {
                    total += step(methods.get(k), nextStep[k]++, batch, root);
                }
                series[round] = total / s.stepsPerRound();
                k++;
            }
        }
    }

    /** Each method's median and p90 round, the median as a ratio to the first method's. */
    private static List<Result> results(Map<String, double[]> times) {
        List<Result> results = new ArrayList<>();
        double reference = Double.NaN;
        for (Map.Entry<String, double[]> e : times.entrySet()) {
            double[] sorted = e.getValue().clone();
            Arrays.sort(sorted);
            double median = percentile(sorted, 0.5);
            if (results.isEmpty()) {
                reference = median;
            }
            results.add(
                    new Result(
                            e.getKey(),
                            median,
                            percentile(sorted, 0.9),
                            median / reference,
                            e.getValue()));
        }
        return results;
    }

    private static double step(
            TrainingMethod<Batch> method, long index, Batch batch, NDManager root) {
        long start = System.nanoTime();
        try (NDManager scope = root.newSubManager()) {
            // The step's activations attach to its batch's manager: a copy in the step's scope
            // frees them with it, as in training.
            method.step(
                    index,
                    (t, owner) ->
                            new Batch(
                                    copy(batch.images(), owner),
                                    copy(batch.labels(), owner),
                                    batch.indices()),
                    0.01,
                    scope);
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static NDArray copy(NDArray array, NDManager owner) {
        NDArray c = array.duplicate();
        c.attach(owner);
        return c;
    }

    private static double percentile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }

    static String name(OptimizerSpec spec) {
        return spec.getMethod().name() + (spec.isAdaptive() ? "-adaptive" : "");
    }
}
