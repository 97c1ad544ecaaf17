package dev.sharpness.trainer.bench;

import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.trainer.exchange.Identity;
import dev.sharpness.trainer.exchange.Layout;
import dev.sharpness.trainer.exchange.PairExchange;
import dev.sharpness.trainer.exchange.StepIntent;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.exchange.WirePrecision;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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

    @Option(
            names = "--backward-millis",
            paramLabel = "MS",
            defaultValue = "0",
            description = {
                "Before each timed swap, wait this long, as a rank whose backward pass runs on a GPU"
                        + " (its cores are free meanwhile), and time only what the swap adds after"
                        + " it. With --final-at the swaps take turns: one begun only after the"
                        + " backward, then one begun at its start for each --final-at."
            })
    double backwardMillis;

    @Option(
            names = "--final-at",
            paramLabel = "MS:SHARE[,MS:SHARE...]",
            description = {
                "A swap begun at the backward's start: at MS after it, the last SHARE (0 to 1) of"
                        + " the vector is final and may go (the backward makes the vector final from"
                        + " its end); the rest at --backward-millis. May be repeated: each one is a"
                        + " schedule of its own."
            })
    List<String> finalAt = new ArrayList<>();

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
        List<Schedule> schedules = new ArrayList<>();
        schedules.add(Schedule.NOT_BEGUN);
        for (String each : finalAt) {
            schedules.add(Schedule.parse(spec, each, elements));
        }
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
            long[][] exposed = new long[schedules.size()][swaps];
            SwapReport report = new SwapReport(side, mine.length, swaps);
            for (int i = -warmup; i < swaps * schedules.size(); i++) {
                if (i == 0) {
                    report.start();
                }
                long step = i + warmup;
                if (i < 0) {
                    exchange.swap(step, mine); // warm-up: back to back
                } else {
                    exposed[i % schedules.size()][i / schedules.size()] =
                            schedules
                                    .get(i % schedules.size())
                                    .swap(exchange, step, mine, backwardMillis);
                }
            }
            for (int k = 0; k < swaps; k++) {
                report.swap(k, exposed[0][k]);
            }
            for (int s = 1; s < schedules.size(); s++) {
                long[] sorted = exposed[s].clone();
                Arrays.sort(sorted);
                report.put("begun" + s + "P50Millis", sorted[sorted.length / 2] / 1e6);
                report.put(
                        "begun" + s + "MeanMillis",
                        Arrays.stream(sorted).average().orElse(0) / 1e6);
            }
            report.stop();
            report.cpuOver(swaps * schedules.size());
            SwapStats stats = exchange.stats();
            report.put("meanSendMillis", stats.meanSendMillis());
            report.put("meanEncodeMillis", stats.meanEncodeMillis());
            report.put("meanDecodeMillis", stats.meanDecodeMillis());
            report.put("streams", exchange.streams());
            report.put("backwardMillis", backwardMillis);
            out().println(report.json());
        }
        return 0;
    }

    /**
     * When the parts of a rank's vector become final during its backward pass: at {@code millis[k]}
     * after its start, elements {@code from[k]} to the end. Empty: the swap begins only once the
     * backward is over, as a swap not overlapped with it.
     */
    private record Schedule(double[] millis, long[] from) {
        static final Schedule NOT_BEGUN = new Schedule(new double[0], new long[0]);

        static Schedule parse(CommandSpec spec, String text, long elements) {
            String[] points = text.split(",");
            double[] millis = new double[points.length];
            long[] from = new long[points.length];
            for (int k = 0; k < points.length; k++) {
                String[] parts = points[k].split(":");
                try {
                    if (parts.length != 2) {
                        throw new NumberFormatException();
                    }
                    millis[k] = Double.parseDouble(parts[0]);
                    double share = Double.parseDouble(parts[1]);
                    from[k] = elements - Math.round(share * elements);
                    if (share < 0 || share > 1 || millis[k] < 0 || k > 0 && from[k] > from[k - 1]) {
                        throw new NumberFormatException();
                    }
                } catch (RuntimeException e) {
                    throw new ParameterException(
                            spec.commandLine(),
                            "--final-at: expected MS:SHARE pairs, SHARE from 0 to 1 and never"
                                    + " smaller than the one before, got "
                                    + text);
                }
            }
            return new Schedule(millis, from);
        }

        /**
         * One swap after a backward pass of {@code backwardMillis} (a wait): the nanoseconds from
         * the backward's end until the peer's vector is in.
         */
        long swap(PairExchange exchange, long step, byte[] mine, double backwardMillis) {
            long start = System.nanoTime();
            if (millis.length == 0) {
                sleepUntil(start, backwardMillis);
                long backwardEnd = System.nanoTime();
                exchange.swap(step, mine);
                return System.nanoTime() - backwardEnd;
            }
            PairExchange.PendingSwap swap = exchange.begin(step, mine);
            for (int k = 0; k < millis.length; k++) {
                sleepUntil(start, millis[k]);
                swap.finalFrom(from[k]);
            }
            sleepUntil(start, backwardMillis);
            long backwardEnd = System.nanoTime();
            swap.finish(StepIntent.NONE);
            return System.nanoTime() - backwardEnd;
        }

        private static void sleepUntil(long start, double millis) {
            long until = start + Math.round(millis * 1e6);
            for (long left = until - System.nanoTime();
                    left > 0;
                    left = until - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
    }
}
