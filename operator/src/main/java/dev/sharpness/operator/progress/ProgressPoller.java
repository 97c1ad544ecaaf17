package dev.sharpness.operator.progress;

import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.exchange.v1.ProgressRequest;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Asks rank 0 of running jobs for progress over gRPC ({@code GetProgress}, token required), at most
 * once per poll interval per job, without ever blocking a reconcile: a request runs in the
 * background and its answer is kept for the job's next reconcile.
 */
public class ProgressPoller implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ProgressPoller.class);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(5);

    /** Where to reach one job's rank 0. */
    public record Target(String jobKey, int attempt, String host, int port, String token) {}

    private final Duration interval;
    private final Clock clock;
    private final Map<String, ProgressReading> latest = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastAsked = new ConcurrentHashMap<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public ProgressPoller(Duration interval, Clock clock) {
        this.interval = interval;
        this.clock = clock;
    }

    /** The last answer for the job, if any. */
    public Optional<ProgressReading> latest(String jobKey) {
        return Optional.ofNullable(latest.get(jobKey));
    }

    /** Starts a request unless one was started for this job within the poll interval. */
    public void requestIfDue(Target target) {
        Instant now = clock.instant();
        Instant previous = lastAsked.get(target.jobKey());
        if (previous != null && now.isBefore(previous.plus(interval))) {
            return;
        }
        lastAsked.put(target.jobKey(), now);
        ManagedChannel channel =
                channels.compute(
                        target.jobKey(),
                        (key, existing) -> {
                            String authority = target.host() + ":" + target.port();
                            if (existing != null && existing.authority().equals(authority)) {
                                return existing;
                            }
                            if (existing != null) {
                                existing.shutdownNow();
                            }
                            return NettyChannelBuilder.forAddress(target.host(), target.port())
                                    .usePlaintext()
                                    .build();
                        });
        PairExchangeGrpc.newStub(channel)
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .withCallCredentials(bearer(target.token()))
                .getProgress(
                        ProgressRequest.getDefaultInstance(),
                        new StreamObserver<>() {
                            @Override
                            public void onNext(Progress progress) {
                                latest.put(
                                        target.jobKey(),
                                        ProgressReading.of(
                                                target.attempt(), progress, clock.instant()));
                            }

                            @Override
                            public void onError(Throwable t) {
                                LOG.debugf(
                                        "progress of %s: %s",
                                        target.jobKey(), Status.fromThrowable(t));
                            }

                            @Override
                            public void onCompleted() {}
                        });
    }

    /** Forgets a job (deleted or finished). */
    public void forget(String jobKey) {
        latest.remove(jobKey);
        lastAsked.remove(jobKey);
        ManagedChannel channel = channels.remove(jobKey);
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    private static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(
                    RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(AUTHORIZATION, "Bearer " + token);
                applier.apply(headers);
            }
        };
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
