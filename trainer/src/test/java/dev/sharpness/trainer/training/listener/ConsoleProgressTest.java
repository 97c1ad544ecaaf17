package dev.sharpness.trainer.training.listener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.training.EpochMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress a user watches fits an 80-column terminal, bar included. */
class ConsoleProgressTest {
    private static final String LONG_NAME = "cifar10-resnet56-sampa-rho-0.05-lambda-0.2-seed-7";
    private static final StepReport STEP =
            new StepReport(1_234_567, 199, 0.0123, 0.9971, 1e-4, 0.2);

    @Test
    void aPairWhoseSwapOutlastsItsPassIsWarnedOnceInLogs() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress console =
                new ConsoleProgress(
                        "wrn", new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        console.started(1000, 0);

        console.paced(new SwapPace(23.6, 1.8)); // computing: nothing to say
        console.paced(new SwapPace(32.4, 55.1));
        console.paced(new SwapPace(32.0, 54.0)); // still so: said once is enough

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines)
                .singleElement()
                .satisfies(
                        line ->
                                assertThat(line)
                                        .startsWith("wrn: warning: the SAMPa pair's gradient swap")
                                        .contains("transfer 55.1 ms, pass 32.4 ms"));
    }

    @Test
    void theLineFitsEightyColumnsForLongNamesAndBigStepCounts() {
        String line = ProgressLine.render(LONG_NAME, 1_234_567, 78_000_000, 1234.5, STEP, 80);

        assertThat(line.length()).isLessThanOrEqualTo(80);
        assertThat(line)
                .startsWith("cifar10-resnet56-sa… ")
                .contains("  1% │", "1234567/78000000", "loss 0.0123", "ETA ");
        assertThat(barWidth(line)).isGreaterThanOrEqualTo(10);
    }

    @Test
    void aShortJobOnAWideTerminalShowsEveryFieldAndAWideBar() {
        String line =
                ProgressLine.render(
                        "quickstart",
                        157,
                        350,
                        12.3,
                        new StepReport(157, 2, 0.4321, 0.875, 0.009, 0.08),
                        200);

        assertThat(line).hasSize(ProgressLine.MAX_WIDTH);
        assertThat(line)
                .startsWith("quickstart  44% │")
                .endsWith("│ 157/350 ep 3 loss 0.4321 acc 0.875 12.3/s ETA 0:16");
    }

    @Test
    void aNarrowTerminalDropsTheLeastNeededFieldsButKeepsTheBarAndTheLoss() {
        String line = ProgressLine.render(LONG_NAME, 1_234_567, 78_000_000, 1234.5, STEP, 40);

        assertThat(line.length()).isLessThanOrEqualTo(40);
        assertThat(line)
                .contains("loss 0.0123")
                .doesNotContain("acc", "/s", LONG_NAME.substring(0, 5));
        assertThat(barWidth(line)).isGreaterThanOrEqualTo(10);
    }

    @Test
    void theLiveBarAndTheEpochLinesStayWithinEightyColumns() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress progress =
                new ConsoleProgress(
                        LONG_NAME, new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 80);

        progress.started(78_000_000, 1_234_000);
        progress.stepped(STEP);
        progress.epochEnded(
                new EpochMetrics(
                        199,
                        78_000_000,
                        1e-4,
                        0.0123,
                        0.9971,
                        0.21,
                        0.9412,
                        0.22,
                        0.9388,
                        156_000_000,
                        1e5));
        progress.finished();

        List<String> lines =
                Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("[\r\n]"))
                        .map(l -> l.replace("\033[K", ""))
                        .filter(l -> !l.isBlank())
                        .toList();
        assertThat(lines)
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80))
                .contains(
                        "epoch 200 step 78000000: loss 0.0123 | acc train 0.9971 val 0.9412 test 0.9388")
                .anySatisfy(l -> assertThat(l).contains("1234567/78000000", "loss 0.0123"));
    }

    @Test
    void logLinesKeepTheJobNameAndSayWhereAResumeStarts() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress progress =
                new ConsoleProgress(
                        "tiny", new PrintStream(bytes, true, StandardCharsets.UTF_8), false);

        progress.started(18, 6);
        progress.epochEnded(new EpochMetrics(1, 12, 0.05, 0.9, 0.6, null, null, 1.0, 0.55, 24, 3));
        progress.finished();

        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo(
                        "tiny: resuming at step 6 of 18\n"
                                + "tiny: epoch 2 step 12: loss 0.9000 | acc train 0.6000 val - test 0.5500\n");
    }

    /** Columns between the bar's two borders, borders included. */
    private static int barWidth(String line) {
        return line.lastIndexOf('│') - line.indexOf('│') + 1;
    }
}
