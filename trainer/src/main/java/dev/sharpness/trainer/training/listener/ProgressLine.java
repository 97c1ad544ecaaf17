package dev.sharpness.trainer.training.listener;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

/**
 * The live progress line, fitted to a width: job name, percent, a bar that takes the room left,
 * steps, epoch, loss, accuracy, steps/s and ETA. When the width is short the least needed fields go
 * first (steps/s, accuracy, epoch, name, ETA, steps) and the bar keeps at least {@value #MIN_BAR}
 * columns, so the line is never cut and the bar never vanishes.
 */
final class ProgressLine implements ProgressBarRenderer {
    /** Widest line drawn, one column short of an 80-column terminal so it never wraps. */
    static final int MAX_WIDTH = 79;

    static final int MAX_NAME = 20;
    private static final int MIN_BAR = 10;
    private static final String BLOCKS = " ▏▎▍▌▋▊▉█";

    private final String name;
    private volatile StepReport last;

    ProgressLine(String name) {
        this.name = name;
    }

    /** The step the line shows the loss, accuracy and epoch of. */
    void update(StepReport report) {
        last = report;
    }

    @Override
    public String render(ProgressState state, int maxLength) {
        long done = state.getCurrent() - state.getStart();
        double seconds = state.getElapsedAfterStart().toMillis() / 1e3;
        double rate = seconds > 0 ? done / seconds : 0;
        return render(name, state.getCurrent(), state.getMax(), rate, last, maxLength);
    }

    /**
     * The line for {@code step} of {@code total}, at most {@code width} columns (and {@value
     * #MAX_WIDTH}); {@code last} is null before the first step.
     */
    static String render(
            String name, long step, long total, double stepsPerSecond, StepReport last, int width) {
        int room = Math.min(width <= 0 ? MAX_WIDTH : width, MAX_WIDTH);
        String[] fields = {
            shortName(name),
            String.format(Locale.ROOT, "%3d%%", total > 0 ? 100 * step / total : 0),
            "", // the bar, sized last
            step + "/" + total,
            last == null ? "" : "ep " + (last.epoch() + 1),
            last == null ? "" : String.format(Locale.ROOT, "loss %.4f", last.loss()),
            last == null ? "" : String.format(Locale.ROOT, "acc %.3f", last.accuracy()),
            stepsPerSecond > 0 ? String.format(Locale.ROOT, "%.1f/s", stepsPerSecond) : "",
            "ETA " + eta(step, total, stepsPerSecond)
        };
        // steps/s, accuracy, epoch, name, ETA, steps, loss: the order fields go in when short.
        int[] dropOrder = {7, 6, 4, 0, 8, 3, 5};
        for (int i = 0; i < dropOrder.length && width(fields) + MIN_BAR > room; i++) {
            fields[dropOrder[i]] = "";
        }
        fields[2] = bar(step, total, Math.max(MIN_BAR, room - width(fields)));
        StringBuilder out = new StringBuilder();
        for (String field : fields) {
            append(out, field);
        }
        return out.toString();
    }

    /** Columns of the fields other than the bar, and a space before each. */
    private static int width(String[] fields) {
        int width = 0;
        for (String field : fields) {
            width += field.isEmpty() ? 0 : field.length() + 1;
        }
        return width;
    }

    private static void append(StringBuilder out, String field) {
        if (field.isEmpty()) {
            return;
        }
        if (out.length() > 0) {
            out.append(' ');
        }
        out.append(field);
    }

    /** {@code width} columns: two borders and eighths of a block in between. */
    private static String bar(long step, long total, int width) {
        int inner = width - 2;
        long eighths = total > 0 ? Math.min(8L * inner, 8L * inner * step / total) : 0;
        StringBuilder out = new StringBuilder("│");
        out.append("█".repeat((int) (eighths / 8)));
        if (eighths / 8 < inner) {
            out.append(BLOCKS.charAt((int) (eighths % 8)));
            out.append(" ".repeat(inner - (int) (eighths / 8) - 1));
        }
        return out.append('│').toString();
    }

    static String shortName(String name) {
        return name.length() <= MAX_NAME ? name : name.substring(0, MAX_NAME - 1) + "…";
    }

    private static String eta(long step, long total, double stepsPerSecond) {
        if (stepsPerSecond <= 0) {
            return "?";
        }
        long s = Math.round((total - step) / stepsPerSecond);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
