package dev.sharpness.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataOrderTest {
    @Test
    void sameSeedAndEpochGiveTheSamePermutation() {
        assertThat(DataOrder.permutation(42, 3, 1000))
                .isEqualTo(DataOrder.permutation(42, 3, 1000));
    }

    @Test
    void anotherEpochOrSeedGivesAnotherPermutation() {
        int[] base = DataOrder.permutation(42, 3, 1000);
        assertThat(DataOrder.permutation(42, 4, 1000)).isNotEqualTo(base);
        assertThat(DataOrder.permutation(43, 3, 1000)).isNotEqualTo(base);
    }

    @Test
    void isAPermutationAndActuallyShuffles() {
        int[] p = DataOrder.permutation(7, 0, 500);
        assertThat(p).containsExactlyInAnyOrder(IntStream.range(0, 500).toArray());
        assertThat(p).isNotEqualTo(IntStream.range(0, 500).toArray());
        assertThat(DataOrder.permutation(7, 0, 0)).isEmpty();
    }

    @Test
    void stepsPerEpochDropsTheLastPartialBatch() {
        assertThat(DataOrder.stepsPerEpoch(100, 32)).isEqualTo(3);
        assertThat(DataOrder.stepsPerEpoch(96, 32)).isEqualTo(3);
        assertThat(DataOrder.stepsPerEpoch(10, 32)).isEqualTo(1);
        assertThatThrownBy(() -> DataOrder.stepsPerEpoch(10, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
