package dev.sharpness.trainer.bench;

import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.trainer.exchange.Identity;
import dev.sharpness.trainer.exchange.Layout;
import dev.sharpness.trainer.exchange.PairExchange;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.exchange.WirePrecision;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sam-trainer bench exchange-swap}: {@link SocketSwap}'s counterpart through the pair
 * exchange itself: two processes swap a vector of {@code BYTES / 4} floats with {@link
 * PairExchange#swap} back to back, no training in between, so what it measures is the exchange's
 * own cost (the copies into and out of gRPC's buffers, gRPC, flow control) with no peer to wait
 * for. The vector is already in the wire's format, as a trainer hands it over: under bf16 the
 * rounding is the trainer's (the engine's) and not part of the swap. Run one side with {@code
 * serve} and the other with {@code connect}; each prints one JSON line. A benchmark, not a way to
 * train.
 */
@Command(
        name = "exchange-swap",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark: swap a vector through the pair exchange between two processes, back to"
                    + " back; run once with serve and once with connect, each prints one JSON"
                    + " line."
        })
public final class ExchangeSwap extends SwapSide implements Callable<Integer> {
    private static final byte[] TOKEN = "bench-token".getBytes(StandardCharsets.US_ASCII);

    @Parameters(
            index = "5",
            arity = "0..1",
            paramLabel = "fp32|bf16",
            defaultValue = "fp32",
            description = "Number format on the wire; under bf16 half of BYTES crosses.")
    String precision;

    @Parameters(
            index = "6",
            arity = "0..1",
            paramLabel = "STREAMS",
            defaultValue = "0",
            description = "Exchange streams each side offers (0: from the cores it may use).")
    int streams;

    @Override
    public Integer call() {
        boolean serve = serve();
        int elements = bytes / 4;
        WirePrecision wire = WirePrecision.valueOf(precision.toUpperCase(Locale.ROOT));
        int offered = streams > 0 ? streams : PairExchange.defaultStreams();
        Identity identity =
                new Identity(
                        "bench",
                        0,
                        "bench",
                        new Layout(List.of("vector"), List.of(new long[] {elements})));
        Duration timeout = Duration.ofSeconds(60);
        try (PairExchange exchange =
                serve
                        ? PairExchange.serve(
                                new InetSocketAddress(host, port),
                                TOKEN,
                                identity,
                                () -> new byte[0],
                                Progress::getDefaultInstance,
                                wire,
                                timeout,
                                offered)
                        : PairExchange.connect(
                                host, port, TOKEN, identity, wire, timeout, offered)) {
            byte[] mine = new byte[wire.bytesPerElement() * elements];
            Arrays.fill(mine, (byte) (exchange.rank() + 1));
            SwapReport report = new SwapReport(side, mine.length, swaps);
            for (int i = -warmup; i < swaps; i++) {
                if (i == 0) {
                    report.start();
                }
                long start = System.nanoTime();
                exchange.swap(i + warmup, mine);
                if (i >= 0) {
                    report.swap(i, System.nanoTime() - start);
                }
            }
            report.stop();
            SwapStats stats = exchange.stats();
            report.put("meanSendMillis", stats.meanSendMillis());
            report.put("meanEncodeMillis", stats.meanEncodeMillis());
            report.put("meanDecodeMillis", stats.meanDecodeMillis());
            report.put("streams", exchange.streams());
            out().println(report.json());
        }
        return 0;
    }
}
