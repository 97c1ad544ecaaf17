package dev.sharpness.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.trainer.bench.ExchangeSwap;
import dev.sharpness.trainer.bench.SocketSwap;
import dev.sharpness.trainer.bench.StepBenchmark;
import dev.sharpness.trainer.bench.WireConvert;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sam-trainer bench}: per-step time of methods side by side, as ratios to the first; its
 * subcommands are the pair exchange's benchmarks ({@code exchange-swap}, {@code socket-swap}) and
 * the cost of a bf16 wire outside it ({@code wire-convert}).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure the per-step time of training methods side by side (synthetic batch).",
            "The subcommands measure the pair exchange between two processes, and what a bf16"
                    + " wire costs a rank outside it."
        },
        subcommands = {ExchangeSwap.class, SocketSwap.class, WireConvert.class})
final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            defaultValue = "resnet20",
            description = "Architecture (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(
            names = "--methods",
            split = ",",
            defaultValue = "SGD,SAM",
            description = "Methods; the first is the reference (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--batch", defaultValue = "128")
    int batch;

    @Option(names = "--image", defaultValue = "28", description = "Image height and width.")
    int image;

    @Option(names = "--channels", defaultValue = "1")
    int channels;

    @Option(names = "--classes", defaultValue = "10")
    int classes;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps per method.")
    int warmup;

    @Option(
            names = "--steps",
            defaultValue = "10",
            description = "Timed steps per method per round.")
    int steps;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description = "Rounds; methods alternate within each.")
    int rounds;

    @Option(names = "--threads", defaultValue = "1", description = "PyTorch intra-op threads.")
    int threads;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Override
    public Integer call() throws IOException {
        EngineSetup.configure(threads);
        ObjectMapper mapper = new ObjectMapper();
        ModelSpec.Architecture architecture =
                choice(mapper, "--model", model, ModelSpec.Architecture.class);
        List<OptimizerSpec> specs = new ArrayList<>();
        for (String m : methods) {
            OptimizerSpec spec = new OptimizerSpec();
            spec.setMethod(choice(mapper, "--methods", m, OptimizerSpec.Method.class));
            specs.add(spec);
        }
        List<StepBenchmark.Result> results =
                StepBenchmark.run(
                        new StepBenchmark.Settings(
                                architecture,
                                channels,
                                image,
                                classes,
                                batch,
                                specs,
                                warmup,
                                steps,
                                rounds));
        print(results);
        if (json != null) {
            mapper.enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(
                            json.toFile(),
                            Map.of(
                                    "model", model,
                                    "batch", batch,
                                    "image", image,
                                    "channels", channels,
                                    "threads", threads,
                                    "results", results));
        }
        return ExitCodes.OK;
    }

    /** The results as a table, one method a row. */
    private void print(List<StepBenchmark.Result> results) {
        System.out.printf(
                Locale.ROOT,
                "%s, batch %d of %dx%dx%d, %d thread(s), %d rounds x %d steps%n",
                model,
                batch,
                channels,
                image,
                image,
                threads,
                rounds,
                steps);
        System.out.printf(
                Locale.ROOT, "%-10s %12s %12s %10s%n", "method", "median ms", "p90 ms", "ratio");
        for (StepBenchmark.Result r : results) {
            System.out.printf(
                    Locale.ROOT,
                    "%-10s %12.1f %12.1f %10.3f%n",
                    r.method(),
                    r.medianMillis(),
                    r.p90Millis(),
                    r.ratio());
        }
    }

    /** {@code value} as one of {@code type}'s manifest names, or exit 2 listing those names. */
    private static <E extends Enum<E>> E choice(
            ObjectMapper mapper, String option, String value, Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = mapper.convertValue(constant, String.class);
            if (name.equals(value)) {
                return constant;
            }
            names.add(name);
        }
        throw new InvalidJobException(
                option + ": expected one of " + String.join(", ", names) + ", got " + value);
    }
}
