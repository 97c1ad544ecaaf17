package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CloseTest {

    @Test
    void closingBothRanksFreesThePortAndTheirThreads() throws Exception {
        int port;
        Loopback.Pair pair = Loopback.Pair.open(Loopback.identity(1_000), WirePrecision.FP32);
        try {
            pair.swap(0, new float[1_000], new float[1_000]);
            port = pair.rank0.port();
        } finally {
            pair.close();
        }

        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        // A pool's threads outlive its termination by a moment: give them that moment.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!exchangeThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(exchangeThreads()).isEmpty();
    }

    @Test
    void aClosedExchangeRefusesToSwapAndClosesTwiceQuietly() throws Exception {
        Loopback.Pair pair = Loopback.Pair.open(Loopback.identity(10), WirePrecision.FP32);
        pair.close();
        pair.close();

        assertThatThrownBy(() -> pair.rank1.swap(0, new byte[4 * 10]))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the exchange is closed");
    }

    private static List<String> exchangeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("exchange-"))
                .toList();
    }
}
