package dev.sharpness.trainer.bench;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The arguments both swap benchmarks start with: {@code serve|connect PORT BYTES SWAPS [WARMUP]}.
 */
abstract class SwapSide {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "serve|connect", description = "Which side this is.")
    String side;

    @Parameters(index = "1", paramLabel = "PORT", description = "Port the sides meet on.")
    int port;

    @Option(
            names = "--host",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description =
                    "Address serve listens on and connect connects to (default: ${DEFAULT-VALUE};"
                            + " another one, e.g. across two network namespaces, as two pods"
                            + " of one node talk).")
    String host;

    @Parameters(index = "2", paramLabel = "BYTES", description = "fp32 size of what is swapped.")
    int bytes;

    @Parameters(index = "3", paramLabel = "SWAPS", description = "Timed swaps.")
    int swaps;

    @Parameters(
            index = "4",
            arity = "0..1",
            paramLabel = "WARMUP",
            defaultValue = "10",
            description = "Untimed swaps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    /** True for {@code serve}, false for {@code connect}; anything else is a usage error. */
    boolean serve() {
        if (!side.equals("serve") && !side.equals("connect")) {
            throw new ParameterException(
                    spec.commandLine(), "side: expected serve or connect, got " + side);
        }
        return side.equals("serve");
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
