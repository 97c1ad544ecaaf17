package dev.sharpness.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.KSamSpec;
import org.junit.jupiter.api.Test;

class KSamSelectionTest {
    @Test
    void picksTheKLargestLossesInBatchOrderWithEarlierSamplesWinningTies() {
        float[] losses = {0.5f, 2f, 0.1f, 2f, 3f, 0.5f};
        assertThat(KSam.topK(losses, 3)).containsExactly(1, 3, 4);
        assertThat(KSam.topK(losses, 4)).containsExactly(0, 1, 3, 4); // 0.5 tie: sample 0 before 5
        assertThat(KSam.topK(losses, 6)).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void kIsACountOrAFractionOfTheBatchCappedAtTheBatch() {
        KSamSpec spec = new KSamSpec();
        assertThat(spec.k(128)).isEqualTo(64);
        spec.setTopFraction(0.3);
        assertThat(spec.k(10)).isEqualTo(3);
        spec.setTopK(200);
        assertThat(spec.k(128)).isEqualTo(128);
    }
}
