package dev.sharpness.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchPlanTest {
    @Test
    void everyStepGetsItsEpochsSliceOfTheDataOrderInAnyVisitingOrder() {
        BatchPlan plan = new BatchPlan(11, 50, 16);
        assertThat(plan.stepsPerEpoch()).isEqualTo(3);
        // Backwards across epoch boundaries, as SAMPa's "previous batch" asks.
        for (long step = 11; step >= 0; step--) {
            int epoch = (int) (step / 3);
            int batch = (int) (step % 3);
            assertThat(plan.epochOf(step)).isEqualTo(epoch);
            assertThat(plan.indices(step))
                    .containsExactly(
                            Arrays.copyOfRange(
                                    DataOrder.permutation(11, epoch, 50),
                                    batch * 16,
                                    batch * 16 + 16));
        }
    }

    @Test
    void batchesAreConsecutiveSlicesOfThePermutationAndTheRestIsDropped() {
        BatchPlan plan = new BatchPlan(5, 100, 32);
        int[] p = DataOrder.permutation(5, 2, 100);
        for (int b = 0; b < 3; b++) {
            assertThat(plan.indices(2 * 3 + b))
                    .isEqualTo(Arrays.copyOfRange(p, b * 32, b * 32 + 32));
        }
        // The 4 samples left over are not a batch: the next step starts epoch 3.
        assertThat(plan.indices(9))
                .isEqualTo(Arrays.copyOfRange(DataOrder.permutation(5, 3, 100), 0, 32));
    }

    @Test
    void aSetSmallerThanABatchIsOneBatchOfEverything() {
        BatchPlan plan = new BatchPlan(5, 10, 32);
        assertThat(plan.stepsPerEpoch()).isEqualTo(1);
        assertThat(plan.indices(0)).isEqualTo(DataOrder.permutation(5, 0, 10));
    }
}
