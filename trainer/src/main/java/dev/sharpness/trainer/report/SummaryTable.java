package dev.sharpness.trainer.report;

import dev.sharpness.trainer.training.RunSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The table printed when a run ends: what was trained, how well, and at what cost. */
public final class SummaryTable {
    private SummaryTable() {}

    public static String render(RunSummary s, Path runFolder) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("job", s.job()));
        rows.add(row("method", s.method()));
        rows.add(row("model", s.architecture() + " (" + s.parameters() + " parameters)"));
        rows.add(
                row(
                        "epochs / steps",
                        s.epochs()
                                + " / "
                                + s.steps()
                                + (s.stoppedAtMaxSteps() ? " (stopped at maxSteps)" : "")
                                + (s.earlyStop() == null
                                        ? ""
                                        : " (stopped early at epoch "
                                                + s.earlyStop().epoch()
                                                + ")")));
        rows.add(row("sequential gradients", Long.toString(s.sequentialGradientComputations())));
        rows.add(
                row(
                        "train loss / accuracy",
                        fmt(s.trainLoss()) + " / " + percent(s.trainAccuracy())));
        rows.add(
                row(
                        "validation accuracy",
                        s.validationAccuracy() == null ? "-" : percent(s.validationAccuracy())));
        rows.add(
                row(
                        "best validation",
                        s.bestValidationAccuracy() == null
                                ? "-"
                                : percent(s.bestValidationAccuracy())
                                        + " (epoch "
                                        + s.bestEpoch()
                                        + ")"));
        rows.add(row("test accuracy", percent(s.testAccuracy())));
        rows.add(
                row(
                        "wall time",
                        String.format(
                                Locale.ROOT,
                                "%.1f s (%.2f steps/s)",
                                s.wallSeconds(),
                                s.stepsPerSecond())));
        if (s.swapPace() != null) {
            rows.add(
                    row(
                            "swap / gradient pass",
                            String.format(
                                    Locale.ROOT,
                                    "%.1f / %.1f ms (medians)%s",
                                    s.swapPace().swapTransferMillis(),
                                    s.swapPace().gradientPassMillis(),
                                    s.swapPace().swapOutlastsPass()
                                            ? ": the swap outlasts the pass, SAM would be as fast"
                                            : "")));
        }
        rows.add(row("parameter checksum", s.parameterChecksum().substring(0, 16) + "..."));
        rows.add(row("run folder", runFolder.toString()));
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            out.append(String.format(Locale.ROOT, "  %-" + width + "s  %s%n", r[0], r[1]));
        }
        return out.toString();
    }

    private static String[] row(String name, String value) {
        return new String[] {name, value};
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }
}
