package dev.sharpness.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchPlanTest {
    @Test
    void everyStepGetsItsEpochsSliceOfTheDataOrderInAnyVisitingOrder() {
        BatchPlan plan = new BatchPlan(11, 50, 16);
        assertThat(plan.stepsPerEpoch()).isEqualTo(3);
        // Backwards across epoch boundaries, as SAMPa's "previous batch" asks.
        for (long step = 11; step >= 0; step--) {
            int epoch = (int) (step / 3);
            assertThat(plan.epochOf(step)).isEqualTo(epoch);
            assertThat(plan.indices(step))
                    .containsExactly(DataOrder.batchIndices(11, epoch, 50, 16, (int) (step % 3)));
        }
    }
}
