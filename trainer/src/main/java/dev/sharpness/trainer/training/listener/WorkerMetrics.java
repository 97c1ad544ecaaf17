package dev.sharpness.trainer.training.listener;

import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.training.EpochMetrics;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's Prometheus {@code /metrics}: step time, exchange time and bytes, loss, accuracy and
 * learning rate (of the last step, and of the last logged step as steps.csv has it), where the run
 * stands and its last checkpoint. Fed as a {@link ProgressListener}; the exchange's numbers are
 * read when scraped.
 */
public final class WorkerMetrics implements ProgressListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerMetrics.class);

    /**
     * Connections the JDK's HTTP server under {@code /metrics} holds at most, as rank 0's exchange
     * port does. The job's NetworkPolicy opens the metrics port to anyone (Prometheus scrapes from
     * its own namespace), and without a cap silent connections held 1,600 of the worker's
     * descriptors when opened at 90 a second, each kept 15-20 s. A scrape over the cap is closed
     * unanswered, so an attack costs metrics, not the run's descriptors.
     */
    static final int MAX_CONNECTIONS = 64;

    /** How long the server waits for a request's headers before it closes the connection. */
    static final int MAX_REQUEST_SECONDS = 10;

    private final HTTPServer server;
    private final Gauge step;
    private final Gauge totalSteps;
    private final Gauge epoch;
    private final Histogram stepSeconds;
    private final Gauge trainLoss;
    private final Gauge trainAccuracy;
    private final Gauge learningRate;
    private final Gauge loggedStep;
    private final Gauge loggedLoss;
    private final Gauge loggedAccuracy;
    private final Gauge validationAccuracy;
    private final Gauge testAccuracy;
    private final Gauge checkpointStep;
    private final Gauge checkpointTime;
    private final Gauge gradientPass;
    private final Gauge swapTransfer;
    private volatile Supplier<SwapStats> exchange = () -> new SwapStats(0, 0, 0, 0, 0, 0);

    private WorkerMetrics(InetSocketAddress listen, int rank) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        step = gauge(registry, "sam_step", "Optimizer steps done in the whole run.");
        totalSteps = gauge(registry, "sam_total_steps", "Steps the run will take in all.");
        epoch = gauge(registry, "sam_epoch", "The epoch in progress, from 0.");
        stepSeconds =
                Histogram.builder()
                        .name("sam_step_seconds")
                        .help("Wall time of one optimizer step (gradients, exchange, update).")
                        .classicOnly()
                        .classicExponentialUpperBounds(0.001, 2, 18)
                        .register(registry);
        trainLoss = gauge(registry, "sam_train_loss", "Training loss of the last step.");
        trainAccuracy =
                gauge(registry, "sam_train_accuracy", "Training accuracy of the last step.");
        learningRate = gauge(registry, "sam_learning_rate", "Learning rate of the last step.");
        loggedStep =
                gauge(
                        registry,
                        "sam_logged_step",
                        "Step of the last steps.csv row (every spec.training.logEverySteps).");
        loggedLoss =
                gauge(registry, "sam_logged_train_loss", "Training loss of the last logged step.");
        loggedAccuracy =
                gauge(
                        registry,
                        "sam_logged_train_accuracy",
                        "Training accuracy of the last logged step.");
        validationAccuracy =
                gauge(
                        registry,
                        "sam_validation_accuracy",
                        "Validation accuracy after the last finished epoch.");
        testAccuracy =
                gauge(
                        registry,
                        "sam_test_accuracy",
                        "Test accuracy after the last finished epoch.");
        checkpointStep = gauge(registry, "sam_checkpoint_step", "Step of the last checkpoint.");
        checkpointTime =
                gauge(
                        registry,
                        "sam_checkpoint_timestamp_seconds",
                        "Unix time the last checkpoint was written.");
        gradientPass =
                gauge(
                        registry,
                        "sam_gradient_pass_seconds",
                        "SAMPa's rank 0: median of its gradient pass over the recent steps.");
        swapTransfer =
                gauge(
                        registry,
                        "sam_swap_transfer_seconds",
                        "SAMPa's rank 0: median of a swap's transfer (less the wait for the peer)"
                                + " over the recent steps; at sam_gradient_pass_seconds or above,"
                                + " SAM would be about as fast.");
        registerExchange(registry);
        gauge(
                        registry,
                        "sam_worker_rank",
                        "This worker's rank: 0 (alone, or the x~ rank of a pair) or 1 (the y rank).")
                .set(rank);
        boundHttpServers();
        server =
                HTTPServer.builder()
                        .inetAddress(listen.getAddress())
                        .port(listen.getPort())
                        .registry(registry)
                        .buildAndStart();
        LOG.info("Serving /metrics on port {}", server.getPort());
    }

    /**
     * Sets the JDK HTTP server's bounds ({@link #MAX_CONNECTIONS}, {@link #MAX_REQUEST_SECONDS})
     * unless the command line gave them. The JDK reads them once, when its first HTTP server
     * starts: in a worker, this one.
     */
    private static void boundHttpServers() {
        if (System.getProperty("jdk.httpserver.maxConnections") == null) {
            System.setProperty("jdk.httpserver.maxConnections", String.valueOf(MAX_CONNECTIONS));
        }
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty(
                    "sun.net.httpserver.maxReqTime", String.valueOf(MAX_REQUEST_SECONDS));
        }
    }

    /** The exchange's counters, read from {@link #paired}'s supplier when scraped. */
    private void registerExchange(PrometheusRegistry registry) {
        CounterWithCallback.builder()
                .name("sam_exchange_swaps")
                .help("Gradient swaps with the peer.")
                .callback(cb -> cb.call(exchange.get().swaps()))
                .register(registry);
        CounterWithCallback.builder()
                .name("sam_exchange_sent_bytes")
                .help("Bytes of gradient frames sent to the peer.")
                .callback(cb -> cb.call(exchange.get().bytesSent()))
                .register(registry);
        CounterWithCallback.builder()
                .name("sam_exchange_sent_early_bytes")
                .help(
                        "Of the bytes sent, those that went while the backward pass still ran"
                                + " (--overlap-backward).")
                .callback(cb -> cb.call(exchange.get().bytesSentEarly()))
                .register(registry);
        CounterWithCallback.builder()
                .name("sam_exchange_seconds")
                .help("Wall time spent in gradient swaps, waiting for the peer included.")
                .callback(
                        cb -> {
                            SwapStats s = exchange.get();
                            cb.call(s.meanMillis() * s.swaps() / 1e3);
                        })
                .register(registry);
        GaugeWithCallback.builder()
                .name("sam_exchange_last_seconds")
                .help("Wall time of the last gradient swap.")
                .callback(cb -> cb.call(exchange.get().lastMillis() / 1e3))
                .register(registry);
    }

    /**
     * Serves {@code /metrics} on {@code listen} (port 0 picks a free one; the wildcard address:
     * every interface, as Prometheus scrapes a pod).
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static WorkerMetrics serve(InetSocketAddress listen, int rank) {
        try {
            return new WorkerMetrics(listen, rank);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve /metrics on "
                            + listen.getAddress().getHostAddress()
                            + " port "
                            + listen.getPort(),
                    e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void started(long total, long startStep) {
        totalSteps.set(total);
        step.set(startStep);
    }

    @Override
    public void stepped(StepReport report) {
        step.set(report.step());
        epoch.set(report.epoch());
        stepSeconds.observe(report.stepSeconds());
        trainLoss.set(report.loss());
        trainAccuracy.set(report.accuracy());
        learningRate.set(report.learningRate());
    }

    @Override
    public void logged(StepReport report) {
        loggedStep.set(report.step());
        loggedLoss.set(report.loss());
        loggedAccuracy.set(report.accuracy());
    }

    @Override
    public void epochEnded(EpochMetrics m) {
        testAccuracy.set(m.testAccuracy());
        if (m.validationAccuracy() != null) {
            validationAccuracy.set(m.validationAccuracy());
        }
    }

    @Override
    public void checkpointed(long step, Path file, long unixMillis) {
        checkpointStep.set(step);
        checkpointTime.set(unixMillis / 1e3);
    }

    @Override
    public void paired(Supplier<SwapStats> exchange) {
        this.exchange = exchange;
    }

    @Override
    public void paced(SwapPace pace) {
        gradientPass.set(pace.gradientPassMillis() / 1e3);
        swapTransfer.set(pace.swapTransferMillis() / 1e3);
    }

    @Override
    public void close() {
        server.close();
    }

    private static Gauge gauge(PrometheusRegistry registry, String name, String help) {
        return Gauge.builder().name(name).help(help).register(registry);
    }
}
