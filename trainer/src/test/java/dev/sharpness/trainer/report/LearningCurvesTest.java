package dev.sharpness.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.training.EpochMetrics;
import dev.sharpness.trainer.training.RunSummary;
import dev.sharpness.trainer.training.listener.StepLog;
import dev.sharpness.trainer.training.listener.StepReport;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** curves.png reads as well for a 30-step run as for a 200-epoch one. */
class LearningCurvesTest {
    private static final SamTrainingJobSpec QUICKSTART =
            ManifestLoader.load(Path.of("../examples/quickstart.yaml"), List.of()).getSpec();

    @TempDir Path dir;

    @Test
    void aThirtyStepRunDrawsEveryLoggedStepUnderTheMethodsTitle() throws IOException {
        RunSummary summary = summary(3, 10, 2);
        writeSteps(30, 1);

        RunOutputs.write(dir, summary, QUICKSTART);

        BufferedImage png = ImageIO.read(dir.resolve(RunOutputs.CURVES).toFile());
        assertThat(png.getWidth()).isEqualTo(3 * LearningCurves.PANEL_WIDTH);
        assertThat(png.getHeight())
                .isEqualTo(LearningCurves.TITLE_HEIGHT + LearningCurves.PANEL_HEIGHT);
        assertThat(LearningCurves.title(summary, RunTitle.of(QUICKSTART)))
                .isEqualTo(
                        "quickstart: SAM rho 0.05 | SGD lr 0.01 momentum 0.9 | cosine | batch 128");
        List<XYChart> charts =
                LearningCurves.charts(summary, StepLog.read(dir.resolve(StepLog.FILE)));
        assertThat(x(charts.get(0), LearningCurves.LOGGED)).containsExactly(range(1, 30, 1));
        assertThat(x(charts.get(0), LearningCurves.SMOOTHED)).hasSize(30);
        assertThat(x(charts.get(1), "best validation (epoch 2)")).containsExactly(2, 2);
        assertThat(x(charts.get(2), "learning rate")).hasSize(30);
    }

    @Test
    void aTwoHundredEpochRunIsThinnedToReadablePointsFromFirstToLastStep() throws IOException {
        RunSummary summary = summary(200, 390, 170);
        writeSteps(200 * 390, 10);

        RunOutputs.write(dir, summary, QUICKSTART);

        assertThat(ImageIO.read(dir.resolve(RunOutputs.CURVES).toFile()).getWidth())
                .isEqualTo(3 * LearningCurves.PANEL_WIDTH);
        List<XYChart> charts =
                LearningCurves.charts(summary, StepLog.read(dir.resolve(StepLog.FILE)));
        double[] logged = x(charts.get(0), LearningCurves.LOGGED);
        assertThat(logged.length)
                .isBetween(LearningCurves.MAX_POINTS / 2, LearningCurves.MAX_POINTS);
        assertThat(logged[0]).isEqualTo(10);
        assertThat(logged[logged.length - 1]).isEqualTo(78_000);
        assertThat(x(charts.get(1), "validation")).hasSize(200);
        assertThat(x(charts.get(1), "best validation (epoch 170)")).containsExactly(170, 170);
    }

    @Test
    void aRunWithoutStepRowsStillDrawsItsEpochs() throws IOException {
        RunOutputs.write(dir, summary(4, 6, 3), QUICKSTART);

        List<XYChart> charts = LearningCurves.charts(summary(4, 6, 3), List.of());
        assertThat(x(charts.get(0), "train")).containsExactly(6, 12, 18, 24);
        assertThat(dir.resolve(RunOutputs.CURVES)).exists();
    }

    @Test
    void smoothingFollowsTheTrendAndQuietsTheNoise() {
        double[] noisy = new double[400];
        for (int i = 0; i < noisy.length; i++) {
            noisy[i] = 2.0 - i / 400.0 + (i % 2 == 0 ? 0.3 : -0.3);
        }
        double[] smooth = LearningCurves.smoothed(noisy);

        assertThat(spread(smooth)).isLessThan(spread(noisy) / 5);
        assertThat(smooth[200]).isCloseTo(1.5, org.assertj.core.data.Offset.offset(0.02));
    }

    @Test
    void metricsCsvKeepsItsRowPerEpochAndItsHeader() throws IOException {
        RunOutputs.write(dir, summary(3, 10, 2), QUICKSTART);

        List<String> lines = Files.readAllLines(dir.resolve(RunOutputs.METRICS));
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0))
                .isEqualTo(
                        "epoch,step,learning_rate,train_loss,train_accuracy,validation_loss,"
                                + "validation_accuracy,test_loss,test_accuracy,"
                                + "sequential_gradients,wall_seconds");
    }

    /** A run of {@code epochs} whose validation accuracy peaks at {@code best} (from 1). */
    private static RunSummary summary(int epochs, int stepsPerEpoch, int best) {
        List<EpochMetrics> history = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            double accuracy = 0.9 - 0.3 * Math.abs(e + 1 - best) / epochs;
            history.add(
                    new EpochMetrics(
                            e,
                            (long) (e + 1) * stepsPerEpoch,
                            0.01,
                            1.0 / (e + 1),
                            accuracy + 0.05,
                            1.1 / (e + 1),
                            accuracy,
                            1.2 / (e + 1),
                            accuracy - 0.01,
                            2L * (e + 1) * stepsPerEpoch,
                            e + 1.0));
        }
        EpochMetrics last = history.get(epochs - 1);
        return new RunSummary(
                "quickstart",
                "SAM",
                "cnn",
                1000,
                1,
                epochs,
                last.step(),
                false,
                null,
                0,
                last.trainLoss(),
                last.trainAccuracy(),
                last.validationAccuracy(),
                last.testAccuracy(),
                0.9,
                best,
                1.0,
                1.0,
                1.0,
                1.0,
                "0".repeat(64),
                "0".repeat(64),
                new SwapStats(0, 0, 0, 0, 0, 0),
                null,
                null,
                history);
    }

    private void writeSteps(long steps, int every) {
        StepLog log = new StepLog(dir.resolve(StepLog.FILE));
        log.started(steps, 0);
        for (long s = every; s <= steps; s += every) {
            log.logged(
                    new StepReport(
                            s, 0, 2.0 / Math.sqrt(s) + (s % 20 == 0 ? 0.1 : 0), 0.5, 0.01, 0.1));
        }
    }

    private static double[] x(XYChart chart, String series) {
        XYSeries s = chart.getSeriesMap().get(series);
        assertThat(s).as("series %s of %s", series, chart.getTitle()).isNotNull();
        return s.getXData();
    }

    private static double[] range(int from, int to, int step) {
        return java.util.stream.IntStream.iterate(from, i -> i <= to, i -> i + step)
                .asDoubleStream()
                .toArray();
    }

    private static double spread(double[] y) {
        double sum = 0;
        for (int i = 1; i < y.length; i++) {
            sum += Math.abs(y[i] - y[i - 1]);
        }
        return sum / (y.length - 1);
    }
}
