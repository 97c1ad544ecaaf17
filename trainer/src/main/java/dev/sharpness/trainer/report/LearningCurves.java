package dev.sharpness.trainer.report;

import dev.sharpness.trainer.training.EpochMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** curves.png: loss (left) and accuracy (right) per epoch, side by side. */
final class LearningCurves {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 420;

    private LearningCurves() {}

    static void write(List<EpochMetrics> history, String title, Path file) throws IOException {
        XYChart loss = chart(title + ": loss", "loss");
        add(loss, history, "train", EpochMetrics::trainLoss);
        add(loss, history, "validation", EpochMetrics::validationLoss);
        add(loss, history, "test", EpochMetrics::testLoss);
        XYChart accuracy = chart(title + ": accuracy", "accuracy");
        add(accuracy, history, "train", EpochMetrics::trainAccuracy);
        add(accuracy, history, "validation", EpochMetrics::validationAccuracy);
        add(accuracy, history, "test", EpochMetrics::testAccuracy);

        BufferedImage image = new BufferedImage(2 * WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.drawImage(BitmapEncoder.getBufferedImage(loss), 0, 0, null);
        g.drawImage(BitmapEncoder.getBufferedImage(accuracy), WIDTH, 0, null);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static XYChart chart(String title, String yAxis) {
        XYChart chart =
                new XYChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT)
                        .title(title)
                        .xAxisTitle("epoch")
                        .yAxisTitle(yAxis)
                        .build();
        chart.getStyler().setDecimalPattern("#0.###");
        return chart;
    }

    private static void add(
            XYChart chart,
            List<EpochMetrics> history,
            String name,
            Function<EpochMetrics, ? extends Number> value) {
        List<EpochMetrics> present =
                history.stream().filter(m -> Objects.nonNull(value.apply(m))).toList();
        if (present.isEmpty()) {
            return;
        }
        double[] x = present.stream().mapToDouble(m -> m.epoch() + 1).toArray();
        double[] y = present.stream().mapToDouble(m -> value.apply(m).doubleValue()).toArray();
        chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
    }
}
