package dev.sharpness.trainer.training.listener;

import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.training.EpochMetrics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Shows a run's progress: on a terminal, a live {@link ProgressLine} (epoch, step, loss, accuracy,
 * steps/s, ETA) within 80 columns, and a line per epoch above it; otherwise (logs, CI, pods) plain
 * lines every few seconds and at every epoch's end, with the job's name.
 */
public final class ConsoleProgress implements ProgressListener {
    private static final long LINE_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

    private final String name;
    private final PrintStream out;
    private final boolean interactive;
    private final int width;
    private ProgressBar bar;
    private ProgressLine line;
    private long total;
    private long startStep;
    private long startNanos;
    private long lastLineNanos;
    private boolean swapBoundSaid;

    public ConsoleProgress(String name, PrintStream out, boolean interactive) {
        this(name, out, interactive, 0);
    }

    /** {@code width}: the terminal's columns, 0 to ask the terminal; the bar is drawn in fewer. */
    ConsoleProgress(String name, PrintStream out, boolean interactive, int width) {
        this.name = name;
        this.out = out;
        this.interactive = interactive;
        this.width = width;
    }

    /** A bar when standard output is a terminal, lines otherwise. */
    public static ConsoleProgress forStandardOutput(String name) {
        return new ConsoleProgress(name, System.out, System.console() != null);
    }

    @Override
    public void started(long totalSteps, long startStep) {
        this.total = totalSteps;
        this.startStep = startStep;
        this.startNanos = System.nanoTime();
        this.lastLineNanos = startNanos;
        if (interactive) {
            line = new ProgressLine(name);
            bar =
                    new ProgressBarBuilder()
                            .setTaskName(name)
                            .setInitialMax(totalSteps)
                            .startsFrom(startStep, Duration.ZERO)
                            .setRenderer(line)
                            .setConsumer(new FittedConsumer(out, width))
                            .build();
        } else if (startStep > 0) {
            out.printf(Locale.ROOT, "%s: resuming at step %d of %d%n", name, startStep, totalSteps);
        }
    }

    @Override
    public void stepped(StepReport report) {
        long step = report.step();
        if (bar != null) {
            line.update(report);
            bar.stepTo(step);
            return;
        }
        String message =
                String.format(
                        Locale.ROOT,
                        "epoch %d loss %.4f acc %.3f lr %.4g",
                        report.epoch() + 1,
                        report.loss(),
                        report.accuracy(),
                        report.learningRate());
        long now = System.nanoTime();
        if (now - lastLineNanos >= LINE_INTERVAL_NANOS) {
            lastLineNanos = now;
            double rate = (step - startStep) / ((now - startNanos) / 1e9);
            long etaSeconds = rate > 0 ? Math.round((total - step) / rate) : -1;
            out.printf(
                    Locale.ROOT,
                    "%s: step %d/%d %s, %.2f steps/s, ETA %s%n",
                    name,
                    step,
                    total,
                    message,
                    rate,
                    etaSeconds < 0
                            ? "?"
                            : Duration.ofSeconds(etaSeconds)
                                    .toString()
                                    .substring(2)
                                    .toLowerCase(Locale.ROOT));
        }
    }

    @Override
    public void epochEnded(EpochMetrics m) {
        String text = epochLine(m);
        aboveTheBar(bar != null ? text : name + ": " + text);
    }

    /** Says once, the first time it is so, that the pair's swap outlasts its gradient pass. */
    @Override
    public void paced(SwapPace pace) {
        if (swapBoundSaid || !pace.swapOutlastsPass()) {
            return;
        }
        swapBoundSaid = true;
        aboveTheBar(name + ": warning: " + pace.warning());
    }

    /** A line above the bar (which redraws below it), or a line of its own without one. */
    private void aboveTheBar(String text) {
        if (bar != null) {
            out.print("\r\033[K");
        }
        out.println(text);
    }

    /** An epoch's line, under 80 columns: its training loss and the three accuracies. */
    static String epochLine(EpochMetrics m) {
        return String.format(
                Locale.ROOT,
                "epoch %d step %d: loss %.4f | acc train %.4f val %s test %.4f",
                m.epoch() + 1,
                m.step(),
                m.trainLoss(),
                m.trainAccuracy(),
                m.validationAccuracy() == null
                        ? "-"
                        : String.format(Locale.ROOT, "%.4f", m.validationAccuracy()),
                m.testAccuracy());
    }

    @Override
    public void finished() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    /** Prints the bar within the terminal's width and {@link ProgressLine#MAX_WIDTH}. */
    private static final class FittedConsumer extends ConsoleProgressBarConsumer {
        FittedConsumer(PrintStream out, int width) {
            super(out, width - 1);
        }

        @Override
        public int getMaxRenderedLength() {
            int terminal = super.getMaxRenderedLength();
            return terminal <= 0
                    ? ProgressLine.MAX_WIDTH
                    : Math.min(terminal, ProgressLine.MAX_WIDTH);
        }
    }
}
