package dev.sharpness.api.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.v1alpha1.ProgressStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The one rule the trainer's warning and the operator's event share: the pair is swap-bound once a
 * swap's transfer takes as long as the gradient pass.
 */
class SwapPaceTest {

    @Test
    void aSwapAsLongAsThePassOrLongerIsSwapBound() {
        // The H200 node's WRN-28-10 (docs/benchmarks/gpu-picture.md): 55 ms swap, 32 ms pass.
        assertThat(new SwapPace(32.4, 55.1).swapOutlastsPass()).isTrue();
        assertThat(new SwapPace(32.4, 32.4).swapOutlastsPass()).isTrue();
        // ResNet-56 there: 1.8 ms swap against a 23.6 ms pass.
        assertThat(new SwapPace(23.6, 1.8).swapOutlastsPass()).isFalse();
    }

    @Test
    void theWarningGivesBothMediansAndWhatToChange() {
        String warning = new SwapPace(32.4, 55.1).warning();

        assertThat(warning)
                .contains("transfer 55.1 ms, pass 32.4 ms")
                .contains("SAM, LookSAM or K-SAM")
                .contains("spec.communication.precision")
                .contains("spec.worker.resources");
    }

    @Test
    void theStatusCarriesThePaceRankZeroReported() {
        ProgressReport report =
                new ProgressReport(
                        1,
                        300,
                        1000,
                        0.5,
                        0.8,
                        null,
                        null,
                        10,
                        60,
                        new SwapPace(32.4, 55.1),
                        0,
                        "",
                        null,
                        3,
                        ProgressReport.TRAINING);

        ProgressStatus status = report.toStatus(null, 3, Instant.parse("2026-11-30T12:00:00Z"));

        assertThat(status.getGradientPassMillis()).isEqualTo(32.4);
        assertThat(status.getSwapTransferMillis()).isEqualTo(55.1);
        assertThat(SwapPace.of(status)).contains(new SwapPace(32.4, 55.1));
        assertThat(SwapPace.of(new ProgressStatus())).isEmpty();
        assertThat(SwapPace.of(null)).isEmpty();
    }

    @Test
    void aPaceThatMakesNoSenseReadsAsNone() {
        // A status anyone with patch rights may have edited, or a worker that is not this trainer.
        ProgressStatus edited = new ProgressStatus();
        edited.setGradientPassMillis(-1.0);
        edited.setSwapTransferMillis(5.0);
        Progress wire =
                ProgressWire.write(
                                new ProgressReport(
                                        1,
                                        300,
                                        1000,
                                        null,
                                        null,
                                        null,
                                        null,
                                        10,
                                        60,
                                        null,
                                        0,
                                        "",
                                        null,
                                        3,
                                        ProgressReport.TRAINING))
                        .toBuilder()
                        .setGradientPassMillis(Double.NaN)
                        .setSwapTransferMillis(5.0)
                        .build();

        assertThat(SwapPace.of(edited)).isEmpty();
        assertThat(ProgressWire.read(wire).pace()).isNull();
        assertThat(SwapPace.ofMillis(0, 1)).isEmpty();
        assertThat(SwapPace.ofMillis(1, Double.POSITIVE_INFINITY)).isEmpty();
        assertThat(SwapPace.ofMillis(1, 0)).contains(new SwapPace(1, 0));
    }

    @Test
    void aPaceWithoutAMeasuredPassIsRefused() {
        assertThatThrownBy(() -> new SwapPace(0, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("measured pass");
        assertThatThrownBy(() -> new SwapPace(Double.NaN, 5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
