package dev.sharpness.operator.reconcile;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobStatus;
import dev.sharpness.operator.cache.PrunedItemStore;
import dev.sharpness.operator.children.ExchangeNetworkPolicy;
import dev.sharpness.operator.children.ExchangeSecret;
import dev.sharpness.operator.children.JobConfigMap;
import dev.sharpness.operator.children.JobNames;
import dev.sharpness.operator.children.PairService;
import dev.sharpness.operator.config.OperatorConfig;
import dev.sharpness.operator.config.OperatorSettings;
import dev.sharpness.operator.events.JobEvent;
import dev.sharpness.operator.events.JobEvents;
import dev.sharpness.operator.metrics.OperatorMetrics;
import dev.sharpness.operator.pods.ObservedWorker;
import dev.sharpness.operator.pods.WorkerPods;
import dev.sharpness.operator.progress.ProgressPoller;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurableReconciler;
import jakarta.inject.Inject;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Owns a SamTrainingJob's pods and their companions (ConfigMap, Secret, Service, NetworkPolicy):
 * observes the pods, lets {@link Lifecycle} decide, carries the decision out, and writes the
 * status. Never blocks: progress comes from {@link ProgressPoller} in the background, waits are
 * {@code rescheduleAfter}.
 */
@ControllerConfiguration(name = SamTrainingJobReconciler.NAME, triggerReconcilerOnAllEvents = true)
public class SamTrainingJobReconciler
        implements Reconciler<SamTrainingJob>, ConfigurableReconciler<SamTrainingJob> {
    public static final String NAME = "samtrainingjob";
    private static final Logger LOG = Logger.getLogger(SamTrainingJobReconciler.class);

    private final OperatorSettings settings;
    private final ProgressPoller progress;
    private final OperatorMetrics metrics;
    private final Clock clock;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private InformerEventSource<Pod, SamTrainingJob> podEvents;

    @Inject
    public SamTrainingJobReconciler(OperatorConfig config, MeterRegistry registry) {
        this(
                OperatorSettings.from(config),
                new ProgressPoller(config.progressPollInterval(), Clock.systemUTC()),
                new OperatorMetrics(registry),
                Clock.systemUTC());
    }

    public SamTrainingJobReconciler(
            OperatorSettings settings,
            ProgressPoller progress,
            OperatorMetrics metrics,
            Clock clock) {
        this.settings = settings;
        this.progress = progress;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Called by the Quarkus extension at startup, with the namespaces configured to watch. */
    @Override
    public void updateConfigurationFrom(
            ControllerConfigurationOverrider<SamTrainingJob> configuration) {
        PrunedItemStore.prunePrimaries(configuration);
    }

    @Override
    public List<EventSource<?, SamTrainingJob>> prepareEventSources(
            EventSourceContext<SamTrainingJob> context) {
        podEvents =
                new InformerEventSource<>(
                        InformerEventSourceConfiguration.from(Pod.class, SamTrainingJob.class)
                                .withLabelSelector(
                                        Constants.LABEL_MANAGED_BY + "=" + Constants.MANAGED_BY)
                                .withItemStore(PrunedItemStore.forNamespacesOf(context))
                                .build(),
                        context);
        return List.of(podEvents);
    }

    @Override
    public UpdateControl<SamTrainingJob> reconcile(
            SamTrainingJob job, Context<SamTrainingJob> context) {
        String key = key(job);
        if (context.isPrimaryResourceDeleted()
                || job.getMetadata().getDeletionTimestamp() != null) {
            // Owner references take the children with the job; only our own memory is left.
            // A job marked for deletion (foreground deletion, a finalizer of someone else's) gets
            // no new pods while its old ones are being removed.
            forget(key);
            return UpdateControl.noUpdate();
        }
        try {
            return reconcileLive(job, context, key);
        } catch (KubernetesClientException e) {
            Optional<String> why = LeaveAlone.because(e);
            if (why.isEmpty()) {
                throw e;
            }
            LOG.debugf("%s: leaving the job alone: %s", key, why.get());
            forget(key);
            return UpdateControl.noUpdate();
        }
    }

    private UpdateControl<SamTrainingJob> reconcileLive(
            SamTrainingJob job, Context<SamTrainingJob> context, String key) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        KubernetesClient client = context.getClient();
        Observation observed = observe(job, context, key, now);
        Lifecycle.Plan plan = Lifecycle.plan(job, observed, now, settings.progressPollInterval());
        List<ObservedWorker> workers = observed.workers();

        // The status write below may hand back the job with the new status: remember the old one.
        SamTrainingJobStatus before = job.getStatus();
        int restartsBefore = before == null ? 0 : before.getRestarts();
        boolean changed = !sameStatus(before, plan.status());
        // Status first, pods second: if a pod call fails, the next reconcile starts from the new
        // status (a restart already counted, the old attempt's pods seen as stale and deleted).
        if (changed && !writeStatus(job, context, plan.status())) {
            LOG.debugf("%s: leaving the job alone: it is gone", key);
            forget(key);
            return UpdateControl.noUpdate();
        }
        carryOut(job, plan, workers, client);
        if (changed) {
            JobEvents events = new JobEvents(client);
            plan.events().forEach(event -> events.record(job, event, now));
            logTransition(job, before, plan.status());
        }
        afterwards(job, plan, workers, client, key, restartsBefore);
        metrics.reconciled(Duration.ofNanos(System.nanoTime() - started));
        UpdateControl<SamTrainingJob> control = UpdateControl.noUpdate();
        if (plan.requeueAfter() != null) {
            control.rescheduleAfter(plan.requeueAfter());
        }
        return control;
    }

    /**
     * Replaces the status with optimistic locking (a conflict re-reads the job and retries); false
     * when the job has gone meanwhile: after a conflict the SDK looks for the job in its cache and
     * finds nothing.
     */
    private static boolean writeStatus(
            SamTrainingJob job, Context<SamTrainingJob> context, SamTrainingJobStatus status) {
        try {
            PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
                    job,
                    context,
                    fresh -> {
                        fresh.setStatus(status);
                        return fresh;
                    });
            return true;
        } catch (NoSuchElementException gone) {
            return false;
        }
    }

    private void forget(String key) {
        progress.forget(key);
        metrics.forget(key);
        tokens.remove(key);
    }

    @Override
    public ErrorStatusUpdateControl<SamTrainingJob> updateErrorStatus(
            SamTrainingJob job, Context<SamTrainingJob> context, Exception e) {
        LOG.warnf(e, "reconciling %s failed; retrying", key(job));
        new JobEvents(context.getClient())
                .record(
                        job,
                        new JobEvent(true, "ReconcileError", String.valueOf(e.getMessage())),
                        clock.instant());
        return ErrorStatusUpdateControl.defaultErrorProcessing();
    }

    /** Applies the plan's pod action; a new attempt first brings its companions up to date. */
    private void carryOut(
            SamTrainingJob job,
            Lifecycle.Plan plan,
            List<ObservedWorker> workers,
            KubernetesClient client) {
        String namespace = job.getMetadata().getNamespace();
        switch (plan.pods()) {
            case CREATE -> {
                ensureCompanions(job, client);
                for (Pod pod :
                        WorkerPods.desired(
                                job,
                                plan.status().getExecutionAttempt(),
                                settings.defaultTrainerImage())) {
                    Pod created = createIfAbsent(client, pod);
                    if (created != null) {
                        // The next reconcile must see the pod even if the informer has not yet.
                        podEvents.handleRecentResourceCreate(ResourceID.fromResource(job), created);
                    }
                }
            }
            case DELETE -> {
                // One by one, by name: RBAC grants delete, not deletecollection. A pod already
                // stopping is left to its kubelet.
                for (ObservedWorker worker : workers) {
                    if (!worker.terminating()) {
                        client.pods().inNamespace(namespace).withName(worker.pod()).delete();
                    }
                }
            }
            case NONE -> {}
        }
        if (plan.deleteJob()) {
            LOG.infof("%s: ttlSecondsAfterFinished passed; deleting the job", key(job));
            client.resource(job).delete();
        }
    }

    /**
     * ConfigMap and NetworkPolicy follow the spec (it may have changed while suspended); the Secret
     * and Service are created once: a conflict means they exist, so no GET is needed first (one
     * request per job fewer when many jobs start at once).
     */
    private void ensureCompanions(SamTrainingJob job, KubernetesClient client) {
        client.resource(JobConfigMap.desired(job)).createOr(existing -> existing.update());
        client.resource(ExchangeNetworkPolicy.desired(job, settings.operatorNamespace()))
                .createOr(existing -> existing.update());
        createIfAbsent(client, ExchangeSecret.desired(job));
        createIfAbsent(client, PairService.desired(job));
    }

    /** Creates the resource; null when it already exists (a reconcile repeated after a crash). */
    private static <R extends HasMetadata> R createIfAbsent(KubernetesClient client, R resource) {
        try {
            return client.resource(resource).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            return null;
        }
    }

    /**
     * Everything the lifecycle decides on, read before it decides: the pods from the informer's
     * cache, rank 0's last progress answer, and the claims when an attempt may start.
     */
    private Observation observe(
            SamTrainingJob job, Context<SamTrainingJob> context, String key, Instant now) {
        List<ObservedWorker> workers =
                context.getSecondaryResources(Pod.class).stream().map(ObservedWorker::of).toList();
        Optional<String> missingClaim =
                MissingClaims.due(job, workers, now)
                        ? MissingClaims.find(job, context.getClient())
                        : Optional.empty();
        return new Observation(workers, progress.latest(key), missingClaim);
    }

    /** Progress polling, metrics and the operator's memory of the job after a reconcile. */
    private void afterwards(
            SamTrainingJob job,
            Lifecycle.Plan plan,
            List<ObservedWorker> workers,
            KubernetesClient client,
            String key,
            int restartsBefore) {
        SamTrainingJobStatus status = plan.status();
        metrics.phase(key, status.getPhase());
        if (status.getRestarts() > restartsBefore && status.getLastFailure() != null) {
            metrics.restarted(status.getLastFailure().getReason());
        }
        if (status.getPhase() != Phase.RUNNING) {
            if (status.getPhase().isFinished()) {
                progress.forget(key);
            }
            return;
        }
        workers.stream()
                .filter(w -> w.rank() == 0 && w.attempt() == status.getExecutionAttempt())
                .filter(w -> w.podIp() != null && w.running())
                .findFirst()
                .ifPresent(
                        rank0 -> {
                            String token = token(job, client);
                            if (token != null) {
                                progress.requestIfDue(
                                        new ProgressPoller.Target(
                                                key,
                                                status.getExecutionAttempt(),
                                                rank0.podIp(),
                                                job.getSpec().getCommunication().getPort(),
                                                token));
                            }
                        });
    }

    private String token(SamTrainingJob job, KubernetesClient client) {
        String cached = tokens.get(key(job));
        if (cached != null) {
            return cached;
        }
        Secret secret =
                client.secrets()
                        .inNamespace(job.getMetadata().getNamespace())
                        .withName(JobNames.secret(job))
                        .get();
        if (secret == null) {
            return null;
        }
        String token = ExchangeSecret.token(secret);
        tokens.put(key(job), token);
        return token;
    }

    private static boolean sameStatus(SamTrainingJobStatus before, SamTrainingJobStatus after) {
        return before != null
                && Objects.equals(Serialization.asJson(before), Serialization.asJson(after));
    }

    private static void logTransition(
            SamTrainingJob job, SamTrainingJobStatus before, SamTrainingJobStatus after) {
        Phase was = before == null ? null : before.getPhase();
        if (was != after.getPhase()) {
            LOG.infof(
                    "%s: %s -> %s (attempt %d)",
                    key(job),
                    was == null ? "new" : was.display(),
                    after.getPhase().display(),
                    after.getExecutionAttempt());
        } else {
            LOG.debugf("%s: status updated", key(job));
        }
    }

    static String key(SamTrainingJob job) {
        return job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
    }
}
