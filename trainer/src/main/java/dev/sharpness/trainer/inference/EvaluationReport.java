package dev.sharpness.trainer.inference;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/** An {@link Evaluation} as a table for the terminal and as a confusion-matrix PNG. */
public final class EvaluationReport {
    private EvaluationReport() {}

    /** Loss, accuracy, per-class accuracy and the confusion matrix, one table each. */
    public static String table(Evaluation evaluation, List<String> classNames) {
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        Locale.ROOT,
                        "loss %.4f   accuracy %.2f%% (%d of %d)%n%n",
                        evaluation.loss(),
                        100 * evaluation.accuracy(),
                        Math.round(evaluation.accuracy() * evaluation.samples()),
                        evaluation.samples()));
        int nameWidth = Math.max(5, classNames.stream().mapToInt(String::length).max().orElse(5));
        out.append(
                String.format(Locale.ROOT, "%-" + nameWidth + "s  accuracy  samples%n", "class"));
        for (int k = 0; k < classNames.size(); k++) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%-" + nameWidth + "s  %7.2f%%  %7d%n",
                            classNames.get(k),
                            100 * evaluation.classAccuracy(k),
                            evaluation.support(k)));
        }
        long[][] confusion = evaluation.confusion();
        long largest = 1;
        for (long[] row : confusion) {
            for (long v : row) {
                largest = Math.max(largest, v);
            }
        }
        int cell = Math.max(4, Long.toString(largest).length() + 1);
        out.append(
                String.format(
                        Locale.ROOT,
                        "%nconfusion matrix: rows are the true class, columns the predicted one%n"));
        int rowWidth = nameWidth + Integer.toString(confusion.length - 1).length() + 1;
        out.append(" ".repeat(rowWidth));
        for (int k = 0; k < confusion.length; k++) {
            out.append(String.format(Locale.ROOT, "%" + cell + "d", k));
        }
        out.append(System.lineSeparator());
        for (int t = 0; t < confusion.length; t++) {
            out.append(
                    String.format(Locale.ROOT, "%-" + rowWidth + "s", t + " " + classNames.get(t)));
            for (long v : confusion[t]) {
                out.append(String.format(Locale.ROOT, "%" + cell + "d", v));
            }
            out.append(System.lineSeparator());
        }
        return out.toString();
    }

    /** The confusion matrix as a heat map with the counts in the cells. */
    public static void writePng(
            Evaluation evaluation, List<String> classNames, String title, Path file)
            throws IOException {
        int classes = classNames.size();
        int side = Math.max(480, Math.min(1600, 160 + 48 * classes));
        HeatMapChart chart =
                new HeatMapChartBuilder()
                        .width(side + 120)
                        .height(side)
                        .title(title)
                        .xAxisTitle("predicted")
                        .yAxisTitle("true")
                        .build();
        chart.getStyler().setShowValue(classes <= 20);
        chart.getStyler().setMin(0);
        chart.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(0x1f, 0x77, 0xb4)});
        // Names fit beside the rows; under the columns only the class numbers do.
        List<String> axis = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            axis.add(Integer.toString(k));
            rows.add(classes <= 12 ? k + " " + classNames.get(k) : Integer.toString(k));
        }
        List<Number[]> cells = new ArrayList<>();
        long[][] confusion = evaluation.confusion();
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                // The heat map counts rows from the bottom: the first class goes on top.
                cells.add(new Number[] {p, classes - 1 - t, confusion[t][p]});
            }
        }
        Collections.reverse(rows);
        chart.addSeries("samples", axis, rows, cells);
        ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile());
    }
}
