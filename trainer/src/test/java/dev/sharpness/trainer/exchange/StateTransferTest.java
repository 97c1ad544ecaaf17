package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a checkpoint step adds to the stream: each side's intent rides on its gradient, and rank 1's
 * own state reaches rank 0 bit for bit, in any wire precision.
 */
@Timeout(30)
class StateTransferTest {

    @Test
    void eachRanksIntentArrivesWithItsGradient() throws Exception {
        try (Loopback.Pair pair = Loopback.Pair.open(Loopback.identity(10), WirePrecision.FP32)) {
            Future<Swapped> atRank0 =
                    pair.callOnRank0(
                            () ->
                                    pair.rank0.swap(
                                            3, new byte[4 * 10], new StepIntent(true, false)));
            Swapped atRank1 = pair.rank1.swap(3, new byte[4 * 10], new StepIntent(false, true));

            assertThat(atRank1.intent()).isEqualTo(new StepIntent(true, false));
            assertThat(atRank0.get().intent()).isEqualTo(new StepIntent(false, true));
            assertThat(StepIntent.stateFollows(StepIntent.NONE, StepIntent.NONE)).isFalse();
        }
    }

    @Test
    void rankOnesStateArrivesBitExactlyUnderBf16AndAcrossChunks() throws Exception {
        float[] state = new float[300_000]; // 1.2 MB: more than one frame
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < state.length; i++) {
            state[i] =
                    Float.intBitsToFloat(random.nextInt() & 0x3fffffff); // bf16 would round these
        }
        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(300_000), WirePrecision.BF16)) {
            Future<float[]> received = pair.callOnRank0(() -> pair.rank0.receiveState(5));
            pair.rank1.sendState(5, state);

            assertThat(received.get()).containsExactly(state);
            // Rank 0 ends first, as in a run: rank 1, whose last call sent its state, waits for it.
            pair.rank0.close();
        }
    }
}
