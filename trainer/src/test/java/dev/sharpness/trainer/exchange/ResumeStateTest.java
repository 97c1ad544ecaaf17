package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.exchange.v1.Progress;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ResumeStateTest {

    @Test
    void rank0sResumeStateArrivesIntactAtRank1() throws Exception {
        byte[] state = new byte[5 * 1024 * 1024 + 17]; // five full chunks and a short one
        new Random(7).nextBytes(state);
        AtomicInteger asked = new AtomicInteger();
        Identity identity = Loopback.identity(8);

        try (Loopback.Rank0 rank0 =
                        new Loopback.Rank0(
                                0,
                                identity,
                                WirePrecision.FP32,
                                Loopback.TIMEOUT,
                                () -> {
                                    asked.incrementAndGet();
                                    return state.clone();
                                },
                                Progress::getDefaultInstance);
                PairExchange rank1 = rank0.connect(identity)) {

            assertThat(rank1.resumeState()).isEqualTo(state);
            assertThat(rank0.exchange().resumeState()).isEmpty();
            assertThat(asked).hasValue(1);
        }
    }

    @Test
    void startingFreshDeliversAnEmptyState() throws Exception {
        Identity identity = Loopback.identity(8);

        try (Loopback.Rank0 rank0 = new Loopback.Rank0(identity);
                PairExchange rank1 = rank0.connect(identity)) {

            assertThat(rank1.resumeState()).isEmpty();
        }
    }
}
