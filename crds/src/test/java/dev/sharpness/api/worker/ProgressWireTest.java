package dev.sharpness.api.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.exchange.v1.Progress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the trainer reports is what the operator reads: the wire loses nothing and adds nothing. */
class ProgressWireTest {

    @Test
    void aFullReportCrossesTheWireUnchanged() {
        ProgressReport sent =
                new ProgressReport(
                        2,
                        90,
                        120,
                        0.4,
                        0.85,
                        0.8,
                        0.79,
                        3.5,
                        12.0,
                        new SwapPace(30.5, 12.25),
                        80,
                        "/checkpoints/ckpt-000000080.bin",
                        Instant.ofEpochMilli(1_700_000_000_000L),
                        3,
                        ProgressReport.TRAINING);

        assertThat(ProgressWire.read(ProgressWire.write(sent))).isEqualTo(sent);
    }

    @Test
    void measurementsNotYetTakenStayAbsentAndReadBackAsNull() {
        ProgressReport starting =
                new ProgressReport(
                        0,
                        0,
                        0,
                        null,
                        null,
                        null,
                        null,
                        0,
                        0,
                        null,
                        0,
                        "",
                        null,
                        3,
                        ProgressReport.STARTING);

        Progress wire = ProgressWire.write(starting);

        assertThat(wire.hasTrainLoss()).isFalse();
        assertThat(wire.hasTrainAccuracy()).isFalse();
        assertThat(wire.hasValidationAccuracy()).isFalse();
        assertThat(wire.hasTestAccuracy()).isFalse();
        assertThat(wire.getLastCheckpointUnixMillis()).isZero();
        assertThat(wire.hasGradientPassMillis()).isFalse();
        assertThat(wire.hasSwapTransferMillis()).isFalse();
        assertThat(ProgressWire.read(wire)).isEqualTo(starting);
    }

    @Test
    void aMeasuredZeroIsPresentAndReadsBackAsZero() {
        ProgressReport evaluated =
                new ProgressReport(
                        1,
                        40,
                        120,
                        2.3,
                        0.0,
                        null,
                        0.0,
                        1.0,
                        0,
                        null,
                        0,
                        "",
                        null,
                        3,
                        ProgressReport.TRAINING);

        Progress wire = ProgressWire.write(evaluated);

        assertThat(wire.hasTrainAccuracy()).isTrue();
        assertThat(wire.hasTestAccuracy()).isTrue();
        assertThat(ProgressWire.read(wire).testAccuracy()).isEqualTo(0.0);
        assertThat(ProgressWire.read(wire).validationAccuracy()).isNull();
    }
}
