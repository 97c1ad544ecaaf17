package dev.sharpness.trainer.training.listener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.cli.Workers;
import dev.sharpness.trainer.exchange.SwapStats;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

    @Test
    @Timeout(60)
    void silentConnectionsHoldAtMostTheCapOfDescriptorsAndScrapesWorkOnceTheyAreGone()
            throws Exception {
        int silent = 150;
        try (WorkerMetrics metrics =
                WorkerMetrics.serve(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0)) {
            Workers.scrape(metrics.port()); // the server's own threads and files, before
            int baseline = openDescriptors();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < silent; i++) {
                    Socket socket = new Socket();
                    try {
                        socket.connect(
                                new InetSocketAddress(
                                        InetAddress.getLoopbackAddress(), metrics.port()),
                                200);
                    } catch (IOException e) {
                        socket.close(); // the backlog is full: the server is not taking more
                        continue;
                    }
                    sockets.add(socket);
                }
                Thread.sleep(500); // the server accepts what is in its backlog
                int held = openDescriptors() - baseline - sockets.size();
                assertThat(held)
                        .as(
                                "descriptors the metrics server holds for %d silent connections",
                                silent)
                        .isLessThanOrEqualTo(WorkerMetrics.MAX_CONNECTIONS + 4);
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
            String scrape = null;
            for (int tries = 0; scrape == null; tries++) {
                try {
                    scrape = Workers.scrape(metrics.port());
                } catch (IOException e) {
                    assertThat(tries)
                            .as("scrapes refused after the silent ones closed")
                            .isLessThan(50);
                    Thread.sleep(100); // the server has not yet seen every close
                }
            }
            assertThat(scrape).contains("sam_worker_rank 0.0");
        }
    }

    @Test
    @Timeout(60)
    void aRequestThatIsNeverFinishedIsClosedAfterTheRequestTime() throws Exception {
        try (WorkerMetrics metrics =
                        WorkerMetrics.serve(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                Socket slow = new Socket(InetAddress.getLoopbackAddress(), metrics.port())) {
            // Headers begun and never ended, as a client that holds connections open does.
            slow.getOutputStream()
                    .write(
                            "GET /metrics HTTP/1.1\r\nHost: a\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
            slow.setSoTimeout((WorkerMetrics.MAX_REQUEST_SECONDS + 10) * 1000);
            long start = System.nanoTime();
            int read;
            try {
                read = slow.getInputStream().read();
            } catch (SocketTimeoutException e) {
                read = 0; // still open
            } catch (IOException e) {
                read = -1; // reset: closed as well
            }
            double took = (System.nanoTime() - start) / 1e9;
            assertThat(read).as("what the server did with the unfinished request").isEqualTo(-1);
            assertThat(took).isLessThan(WorkerMetrics.MAX_REQUEST_SECONDS + 5);
        }
    }

    private static int openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }
}
