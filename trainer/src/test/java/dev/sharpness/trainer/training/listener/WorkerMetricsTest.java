package dev.sharpness.trainer.training.listener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.cli.Workers;
import dev.sharpness.trainer.exchange.SwapStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** /metrics has what a dashboard draws per logged step, as steps.csv has it. */
class WorkerMetricsTest {
    @Test
    void loggedStepsTheLearningRateThePairsPaceAndItsSwapsAreScraped() throws Exception {
        try (WorkerMetrics metrics =
                WorkerMetrics.serve(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0)) {
            metrics.started(100, 0);
            StepReport twentieth = new StepReport(20, 1, 0.75, 0.625, 0.05, 0.01);
            metrics.stepped(twentieth);
            metrics.logged(twentieth);
            metrics.stepped(new StepReport(21, 1, 0.5, 0.875, 0.04, 0.01));
            metrics.paced(new SwapPace(32.5, 55.25));
            metrics.paired(() -> new SwapStats(3, 4000, 1000, 2, 2, 2, 2, 0, 2, 2, 1, 1, 1, 2500));

            String scrape = Workers.scrape(metrics.port());

            assertThat(scrape)
                    .contains(
                            "sam_logged_step 20.0",
                            "sam_logged_train_loss 0.75",
                            "sam_logged_train_accuracy 0.625",
                            "sam_learning_rate 0.04",
                            "sam_step 21.0",
                            "sam_gradient_pass_seconds 0.0325",
                            "sam_swap_transfer_seconds 0.05525",
                            "sam_exchange_swaps_total 3.0",
                            "sam_exchange_sent_bytes_total 4000.0",
                            "sam_exchange_sent_early_bytes_total 2500.0");
        }
    }
}
