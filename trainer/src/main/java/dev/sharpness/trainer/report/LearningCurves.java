package dev.sharpness.trainer.report;

import dev.sharpness.trainer.training.EpochMetrics;
import dev.sharpness.trainer.training.RunSummary;
import dev.sharpness.trainer.training.listener.StepReport;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * curves.png, under a title naming the job, its method and main settings: the training loss per
 * logged step with a smoothed line (left), the accuracies per epoch with the best validation epoch
 * marked (middle), and the learning rate per logged step (right). Series are thinned to at most
 * {@value #MAX_POINTS} drawn points, so a 200-epoch run reads as well as a 30-step one.
 */
final class LearningCurves {
    static final int PANEL_WIDTH = 560;
    static final int PANEL_HEIGHT = 420;
    static final int TITLE_HEIGHT = 40;
    static final int MAX_POINTS = 1500;
    static final String LOGGED = "train (logged steps)";
    static final String SMOOTHED = "train (smoothed)";

    private LearningCurves() {}

    static void write(RunSummary summary, List<StepReport> steps, String settings, Path file)
            throws IOException {
        List<XYChart> charts = charts(summary, steps);
        BufferedImage image =
                new BufferedImage(
                        charts.size() * PANEL_WIDTH,
                        TITLE_HEIGHT + PANEL_HEIGHT,
                        BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), TITLE_HEIGHT);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        g.drawString(title(summary, settings), 16, 27);
        for (int i = 0; i < charts.size(); i++) {
            g.drawImage(
                    BitmapEncoder.getBufferedImage(charts.get(i)),
                    i * PANEL_WIDTH,
                    TITLE_HEIGHT,
                    null);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    /** The line above the charts: {@code job: settings}. */
    static String title(RunSummary summary, String settings) {
        return summary.job() + ": " + settings;
    }

    /** The three panels; without logged steps the loss and learning rate are drawn per epoch. */
    static List<XYChart> charts(RunSummary summary, List<StepReport> steps) {
        List<EpochMetrics> history = summary.history();
        boolean markers = history.size() <= 60;
        XYChart loss = chart("training loss", "step", "loss", "#0.###");
        if (steps.isEmpty()) {
            add(loss, history, "train", m -> m.step(), EpochMetrics::trainLoss, markers);
        } else {
            double[] x = steps.stream().mapToDouble(StepReport::step).toArray();
            double[] y = steps.stream().mapToDouble(StepReport::loss).toArray();
            series(loss, LOGGED, x, y, true)
                    .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter)
                    .setMarkerColor(new Color(150, 180, 230));
            series(loss, SMOOTHED, x, smoothed(y), false).setLineColor(new Color(20, 60, 160));
        }
        add(loss, history, "validation", m -> m.step(), EpochMetrics::validationLoss, markers);
        add(loss, history, "test", m -> m.step(), EpochMetrics::testLoss, markers);

        XYChart accuracy = chart("accuracy", "epoch", "accuracy", "#0.###");
        add(accuracy, history, "train", m -> m.epoch() + 1, EpochMetrics::trainAccuracy, markers);
        add(
                accuracy,
                history,
                "validation",
                m -> m.epoch() + 1,
                EpochMetrics::validationAccuracy,
                markers);
        add(accuracy, history, "test", m -> m.epoch() + 1, EpochMetrics::testAccuracy, markers);
        markBest(accuracy, summary);

        XYChart rate = chart("learning rate", "step", "learning rate", "#0.#####");
        if (steps.isEmpty()) {
            add(rate, history, "learning rate", m -> m.step(), EpochMetrics::learningRate, markers);
        } else {
            series(
                    rate,
                    "learning rate",
                    steps.stream().mapToDouble(StepReport::step).toArray(),
                    steps.stream().mapToDouble(StepReport::learningRate).toArray(),
                    false);
        }
        return List.of(loss, accuracy, rate);
    }

    /** A vertical line at the epoch with the best validation accuracy, named in the legend. */
    private static void markBest(XYChart accuracy, RunSummary summary) {
        if (summary.bestEpoch() == null || summary.bestValidationAccuracy() == null) {
            return;
        }
        double[] all =
                accuracy.getSeriesMap().values().stream()
                        .flatMapToDouble(s -> Arrays.stream(s.getYData()))
                        .toArray();
        double low = Arrays.stream(all).min().orElse(0);
        double high = Arrays.stream(all).max().orElse(1);
        double best = summary.bestEpoch();
        accuracy.addSeries(
                        "best validation (epoch " + summary.bestEpoch() + ")",
                        new double[] {best, best},
                        new double[] {low, high})
                .setMarker(SeriesMarkers.NONE)
                .setLineColor(new Color(200, 40, 40))
                .setLineStyle(SeriesLines.DASH_DASH);
    }

    private static XYChart chart(String title, String xAxis, String yAxis, String yPattern) {
        XYChart chart =
                new XYChartBuilder()
                        .width(PANEL_WIDTH)
                        .height(PANEL_HEIGHT)
                        .title(title)
                        .xAxisTitle(xAxis)
                        .yAxisTitle(yAxis)
                        .build();
        chart.getStyler().setXAxisDecimalPattern("#0");
        chart.getStyler().setYAxisDecimalPattern(yPattern);
        // Below the plot, where it covers no point and no marked epoch.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setMarkerSize(5);
        return chart;
    }

    private static void add(
            XYChart chart,
            List<EpochMetrics> history,
            String name,
            ToDoubleFunction<EpochMetrics> x,
            Function<EpochMetrics, ? extends Number> value,
            boolean markers) {
        List<EpochMetrics> present =
                history.stream().filter(m -> Objects.nonNull(value.apply(m))).toList();
        if (present.isEmpty()) {
            return;
        }
        series(
                chart,
                name,
                present.stream().mapToDouble(x).toArray(),
                present.stream().mapToDouble(m -> value.apply(m).doubleValue()).toArray(),
                markers);
    }

    /** Adds {@code (x, y)}, thinned to {@value #MAX_POINTS} evenly spaced points (last kept). */
    private static XYSeries series(
            XYChart chart, String name, double[] x, double[] y, boolean markers) {
        int stride = Math.max(1, (x.length + MAX_POINTS - 1) / MAX_POINTS);
        int n = (x.length + stride - 1) / stride;
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            int at = i == n - 1 ? x.length - 1 : i * stride;
            xs[i] = x[at];
            ys[i] = y[at];
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        return s;
    }

    /**
     * A centered moving average over about a twentieth of the points (at least 3; none below 10
     * points). Towards the start the window narrows, so a steep first descent is not averaged away;
     * towards the end it keeps its past half, a trailing mean.
     */
    static double[] smoothed(double[] y) {
        if (y.length < 10) {
            return y.clone();
        }
        int half = Math.max(3, y.length / 20) / 2;
        double[] prefix = new double[y.length + 1];
        for (int i = 0; i < y.length; i++) {
            prefix[i + 1] = prefix[i] + y[i];
        }
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            int from = i - Math.min(half, i);
            int to = i + Math.min(i - from, y.length - 1 - i) + 1;
            out[i] = (prefix[to] - prefix[from]) / (to - from);
        }
        return out;
    }
}
