package dev.sharpness.trainer.training.listener;

import dev.sharpness.trainer.training.EpochMetrics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a run's progress: a live bar (epoch, step, loss, accuracy, steps/s, ETA) on a terminal,
 * plain lines every few seconds and at every epoch's end otherwise (logs, CI, pods).
 */
public final class ConsoleProgress implements ProgressListener {
    private static final long LINE_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

    private final String name;
    private final PrintStream out;
    private final boolean interactive;
    private ProgressBar bar;
    private long total;
    private long startStep;
    private long startNanos;
    private long lastLineNanos;

    public ConsoleProgress(String name, PrintStream out, boolean interactive) {
        this.name = name;
        this.out = out;
        this.interactive = interactive;
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
            bar =
                    new ProgressBarBuilder()
                            .setTaskName(name)
                            .setInitialMax(totalSteps)
                            .startsFrom(startStep, Duration.ZERO)
                            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                            .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                            .setUnit(" steps", 1)
                            .showSpeed()
                            .build();
        } else if (startStep > 0) {
            out.printf(Locale.ROOT, "%s: resuming at step %d of %d%n", name, startStep, totalSteps);
        }
    }

    @Override
    public void stepped(StepReport report) {
        String message =
                String.format(
                        Locale.ROOT,
                        "epoch %d loss %.4f acc %.3f lr %.4g",
                        report.epoch() + 1,
                        report.loss(),
                        report.accuracy(),
                        report.learningRate());
        long step = report.step();
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(" " + message);
            return;
        }
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
        String line =
                String.format(
                        Locale.ROOT,
                        "%s: epoch %d done at step %d: train loss %.4f acc %.4f | validation acc %s | test acc %.4f",
                        name,
                        m.epoch() + 1,
                        m.step(),
                        m.trainLoss(),
                        m.trainAccuracy(),
                        m.validationAccuracy() == null
                                ? "-"
                                : String.format(Locale.ROOT, "%.4f", m.validationAccuracy()),
                        m.testAccuracy());
        if (bar != null) {
            // Printed above the bar, which redraws below it.
            out.print("\r\033[K");
        }
        out.println(line);
    }

    @Override
    public void finished() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
