package dev.sharpness.trainer.bench;

import dev.sharpness.trainer.exchange.Identity;
import dev.sharpness.trainer.exchange.Layout;
import dev.sharpness.trainer.exchange.PairExchange;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.exchange.WirePrecision;
import dev.sharpness.api.exchange.v1.Progress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@link SocketSwap}'s counterpart through the pair exchange itself: two processes swap a vector of
 * {@code bytes / 4} floats with {@link PairExchange#swap} back to back, no training in between, so
 * what it measures is the exchange's own cost (encoding, gRPC, flow control, decoding) with no peer
 * to wait for. Run one side with {@code serve} and the other with {@code connect}.
 *
 * <p>{@code java -cp sam-trainer.jar dev.sharpness.trainer.bench.ExchangeSwap serve|connect PORT
 * BYTES SWAPS [WARMUP [fp32|bf16 [STREAMS]]]}: BYTES is the vector's fp32 size; under bf16 half of
 * it crosses. STREAMS is the exchange streams each side offers (default: {@link
 * PairExchange#defaultStreams}, from the cores the process may use).
 */
public final class ExchangeSwap {
    private static final byte[] TOKEN = "bench-token".getBytes(StandardCharsets.US_ASCII);

    private ExchangeSwap() {}

    public static void main(String[] args) {
        if (args.length < 4 || !(args[0].equals("serve") || args[0].equals("connect"))) {
            System.err.println(
                    "usage: ExchangeSwap serve|connect PORT BYTES SWAPS [WARMUP [fp32|bf16"
                            + " [STREAMS]]]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        int elements = Integer.parseInt(args[2]) / 4;
        int swaps = Integer.parseInt(args[3]);
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        WirePrecision precision =
                args.length > 5 ? WirePrecision.valueOf(args[5].toUpperCase()) : WirePrecision.FP32;
        int streams = args.length > 6 ? Integer.parseInt(args[6]) : PairExchange.defaultStreams();
        Identity identity =
                new Identity(
                        "bench",
                        0,
                        "bench",
                        new Layout(List.of("vector"), List.of(new long[] {elements})));
        Duration timeout = Duration.ofSeconds(60);
        try (PairExchange exchange =
                args[0].equals("serve")
                        ? PairExchange.serve(
                                port,
                                TOKEN,
                                identity,
                                () -> new byte[0],
                                Progress::getDefaultInstance,
                                precision,
                                timeout,
                                streams)
                        : PairExchange.connect(
                                "127.0.0.1", port, TOKEN, identity, precision, timeout, streams)) {
            float[] mine = new float[elements];
            Arrays.fill(mine, exchange.rank() + 0.5f);
            SwapReport report =
                    new SwapReport(args[0], (long) precision.bytesPerElement() * elements, swaps);
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
            System.out.println(report.json());
        }
    }
}
