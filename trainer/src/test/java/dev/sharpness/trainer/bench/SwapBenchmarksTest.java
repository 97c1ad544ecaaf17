package dev.sharpness.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.trainer.cli.SamTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exchange's benchmarks are {@code sam-trainer bench} subcommands: two sides meet on a port and
 * each prints one JSON line with its timings, as bench/exchange-swap.sh and bench/pair-time.sh read
 * them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SwapBenchmarksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void socketSwapSidesEachReportTheirSwaps() throws Exception {
        JsonNode[] sides = pair("socket-swap", "4096", "5", "2");

        for (JsonNode side : sides) {
            assertThat(side.get("bytes").asLong()).isEqualTo(4096);
            assertThat(side.get("swaps").asInt()).isEqualTo(5);
            assertThat(side.get("p50Millis").asDouble()).isPositive();
        }
        assertThat(sides[0].get("side").asText()).isEqualTo("serve");
        assertThat(sides[1].get("side").asText()).isEqualTo("connect");
    }

    @Test
    void exchangeSwapUnderBf16PutsHalfTheBytesOnTheWire() throws Exception {
        JsonNode[] sides = pair("exchange-swap", "4096", "5", "2", "bf16", "1");

        for (JsonNode side : sides) {
            assertThat(side.get("bytes").asLong()).isEqualTo(2048);
            assertThat(side.get("swaps").asInt()).isEqualTo(5);
            assertThat(side.get("streams").asDouble()).isEqualTo(1.0);
        }
    }

    @Test
    void aSideOtherThanServeOrConnectIsAUsageError() {
        StringWriter err = new StringWriter();

        int exit =
                SamTrainer.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err, true),
                        "bench",
                        "socket-swap",
                        "listen",
                        "1",
                        "4",
                        "1");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("side: expected serve or connect, got listen");
    }

    /** Runs {@code bench NAME serve|connect PORT ARGS...} in two threads; their JSON lines. */
    private static JsonNode[] pair(String name, String... args) throws Exception {
        String port = Integer.toString(freePort());
        CompletableFuture<JsonNode> serve = side(name, "serve", port, args);
        CompletableFuture<JsonNode> connect = side(name, "connect", port, args);
        return new JsonNode[] {serve.get(60, TimeUnit.SECONDS), connect.get(60, TimeUnit.SECONDS)};
    }

    private static CompletableFuture<JsonNode> side(
            String name, String side, String port, String... args) {
        String[] line = new String[args.length + 4];
        line[0] = "bench";
        line[1] = name;
        line[2] = side;
        line[3] = port;
        System.arraycopy(args, 0, line, 4, args.length);
        return CompletableFuture.supplyAsync(
                () -> {
                    StringWriter out = new StringWriter();
                    int exit =
                            SamTrainer.execute(
                                    new PrintWriter(out, true), new PrintWriter(System.err), line);
                    assertThat(exit).as(side + " exit").isZero();
                    try {
                        return JSON.readTree(out.toString().strip());
                    } catch (IOException e) {
                        throw new AssertionError(side + " printed no JSON line: " + out, e);
                    }
                });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
