package dev.sharpness.trainer.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sharpness.trainer.cli.EngineSetup;
import dev.sharpness.trainer.optim.ParamVector;
import dev.sharpness.trainer.optim.WireVectors;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sam-trainer bench wire-convert}: what a SAMPa rank spends each step on a bf16 wire outside
 * the exchange: rounding its gradient into the wire's bytes (and its own rounded copy) and widening
 * the peer's back ({@link WireVectors}), over different numbers of threads. Prints a Markdown
 * table; a benchmark, not a way to train.
 */
@Command(
        name = "wire-convert",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark: round a gradient to bf16 for the wire and widen a received one, as a SAMPa"
                    + " rank does every step on a bf16 wire, over each number of threads given;"
                    + " prints a Markdown table."
        })
public final class WireConvert implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "ELEMENTS",
            defaultValue = "36479194",
            description = "Gradient elements (default: WRN-28-10's, ${DEFAULT-VALUE}).")
    int elements;

    @Parameters(
            index = "1..*",
            arity = "0..*",
            paramLabel = "THREADS",
            description = "Thread counts to compare (default: 1, and all this process may use).")
    List<Integer> threads;

    @Option(
            names = "--repeats",
            defaultValue = "7",
            description = "Timed conversions per thread count, after two untimed (default: 7).")
    int repeats;

    @Override
    public Integer call() {
        if (elements < 1 || repeats < 1) {
            throw new ParameterException(
                    spec.commandLine(), "ELEMENTS and --repeats: expected at least 1");
        }
        List<Integer> counts = threads;
        if (counts == null || counts.isEmpty()) {
            int cores = Runtime.getRuntime().availableProcessors();
            counts = cores > 1 ? List.of(1, cores) : List.of(1);
        }
        EngineSetup.configure(1);
        PrintWriter out = spec.commandLine().getOut();
        out.println(
                "| threads | round and write, ms (median) | widen, ms (median) | ns per element, both |");
        out.println("| ---: | ---: | ---: | ---: |");
        try (NDManager root = NDManager.newBaseManager()) {
            ParamVector gradient = new ParamVector(List.of(root.randomNormal(new Shape(elements))));
            for (int count : counts) {
                double[][] millis = time(new WireVectors(DataType.BFLOAT16, count), gradient, root);
                double write = median(millis[0]);
                double read = median(millis[1]);
                out.printf(
                        "| %d | %.1f | %.1f | %.2f |%n",
                        count, write, read, (write + read) * 1e6 / elements);
            }
        }
        out.flush();
        return 0;
    }

    /** {round and write, widen} times in ms, {@link #repeats} of each after two untimed. */
    private double[][] time(WireVectors wire, ParamVector gradient, NDManager root) {
        double[][] millis = new double[2][repeats];
        ByteBuffer received = null;
        for (int i = -2; i < repeats; i++) {
            try (NDManager scope = root.newSubManager()) {
                long start = System.nanoTime();
                byte[] bytes = wire.write(gradient, scope).bytes();
                long written = System.nanoTime();
                if (received == null) {
                    received = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
                }
                wire.read(received, gradient, scope);
                long read = System.nanoTime();
                if (i >= 0) {
                    millis[0][i] = (written - start) / 1e6;
                    millis[1][i] = (read - written) / 1e6;
                }
            }
        }
        return millis;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
