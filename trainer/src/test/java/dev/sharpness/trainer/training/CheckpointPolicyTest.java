package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class CheckpointPolicyTest {
    /** 6 steps per epoch, every 5 steps, the run ends after 15 steps (maxSteps mid-epoch 3). */
    private final CheckpointPolicy policy = new CheckpointPolicy(6, 5, 15);

    @Test
    void dueAfterEveryEpochEveryNthStepAndTheLastStep() {
        long[] due = LongStream.range(0, 15).filter(step -> policy.dueAfter(step, false)).toArray();
        // Counted as steps done: 5 and 10 (every 5), 6 and 12 (epoch ends), 15 (the last).
        assertThat(due).containsExactly(4, 5, 9, 11, 14);
    }

    @Test
    void dueAfterAnyStepDuringWhichAStopWasAskedFor() {
        assertThat(policy.dueAfter(0, false)).isFalse();
        assertThat(policy.dueAfter(0, true)).isTrue();
        assertThat(policy.dueAfter(7, true)).isTrue();
    }

    @Test
    void refusesAnIntervalBelowOneStep() {
        assertThatThrownBy(() -> new CheckpointPolicy(6, 0, 15))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spec.checkpoint.everySteps must be at least 1, got 0");
    }
}
