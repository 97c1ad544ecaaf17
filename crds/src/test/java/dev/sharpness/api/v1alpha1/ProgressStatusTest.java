package dev.sharpness.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The PROGRESS column's text. */
class ProgressStatusTest {
    @Test
    void displayShowsStepsOfTheRunAndThePercentage() {
        assertThat(ProgressStatus.display(progress(1234L, 5000L, 24))).isEqualTo("1234/5000 (24%)");
    }

    @Test
    void displayShowsThePercentageAloneWithoutAStepCount() {
        assertThat(ProgressStatus.display(progress(null, null, 100))).isEqualTo("100%");
        assertThat(ProgressStatus.display(progress(120L, 0L, 100))).isEqualTo("100%");
    }

    @Test
    void displayIsEmptyWithoutAPercentage() {
        assertThat(ProgressStatus.display(progress(0L, 0L, null))).isNull();
    }

    private static ProgressStatus progress(Long step, Long totalSteps, Integer percent) {
        ProgressStatus progress = new ProgressStatus();
        progress.setStep(step);
        progress.setTotalSteps(totalSteps);
        progress.setPercent(percent);
        return progress;
    }
}
