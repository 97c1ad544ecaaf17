package dev.sharpness.operator.bench;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.operator.children.JobNames;
import dev.sharpness.operator.config.OperatorSettings;
import dev.sharpness.operator.metrics.OperatorMetrics;
import dev.sharpness.operator.progress.ProgressPoller;
import dev.sharpness.operator.reconcile.SamTrainingJobReconciler;
import dev.sharpness.operator.testing.ManagedFieldsCrudDispatcher;
import dev.sharpness.operator.testing.TestCrd;
import dev.sharpness.operator.testing.TestJobs;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Issue 5's scale benchmark: N SAMPa jobs created at once against the Fabric8 mock API server (CRUD
 * mode, plain HTTP, storing managedFields as a real API server does: {@link
 * ManagedFieldsCrudDispatcher}), the jobs sent as {@code kubectl apply} sends them (with the
 * last-applied-configuration annotation), reconciled by the real reconciler in a real operator SDK
 * runtime set up as the Quarkus application sets it up. Measures the time until every job has its
 * two pods and phase Starting, the API requests the operator made on the way, and the heap. {@code
 * bench/operator-scale.sh} runs {@link #main}; {@code ScaleBenchmarkTest} runs it small and checks
 * only that every job got what it should.
 */
public final class ScaleBenchmark {
    /** As application.properties sets it ({@code sam.operator.reconcile-concurrency}). */
    static final int RECONCILE_CONCURRENCY = 10;

    /** OperatorConfig's default {@code progress-poll-interval}. */
    static final Duration PROGRESS_POLL = Duration.ofSeconds(15);

    /** How often the watched state is checked (locally: no API calls). */
    static final Duration CHECK = Duration.ofMillis(50);

    static final int CREATE_THREADS = 8;
    static final String USER_AGENT = "scale-benchmark";
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private static final String BEGIN = "<!-- latest run: written by bench/operator-scale.sh -->";
    private static final String END = "<!-- end of latest run -->";
    private static final double MIB = 1024 * 1024;

    /**
     * @param jobs how many SAMPa jobs to create at once
     * @param timeout give up when not every job is Starting by then
     * @param measureHeap force full collections to measure the live heap (slow with a big heap)
     */
    public record Settings(int jobs, Duration timeout, boolean measureHeap) {}

    /**
     * Heap in bytes, each "live" one after a full collection.
     *
     * @param empty the mock server with the CRD, nothing else
     * @param operatorIdle plus the started operator, before any job exists
     * @param withOperator at the end: the mock server's store of every object, plus the operator
     * @param withoutOperator at the end, after the operator was stopped and dropped
     * @param peakUsed the most used heap seen while jobs were created and reconciled (sampled every
     *     100 ms; includes garbage not yet collected, so it follows the collector as much as the
     *     program)
     * @param max the JVM's maximum heap ({@code -Xmx})
     */
    public record Heap(
            long empty,
            long operatorIdle,
            long withOperator,
            long withoutOperator,
            long peakUsed,
            long max) {
        /** What the operator holds once every job is Starting: its caches, queues, clients. */
        public long operatorRetained() {
            return withOperator - withoutOperator;
        }

        /**
         * What the mock server's store of the jobs and their children takes (and the benchmark's
         * own list of the jobs it created, a few MiB at most).
         */
        public long mockServerStore() {
            return withoutOperator - empty;
        }
    }

    /**
     * @param created from the first create until the last create returned
     * @param allPods from the first create until every job had its two pods (as a watch saw it)
     * @param allStarting from the first create until every job had its two pods and phase Starting
     * @param operatorRequests what the operator asked of the API server until then, by method and
     *     resource ("GET pods (watch)")
     * @param trailingRequests what the operator asked after that, until it was quiet for 2 s
     * @param problems what a job lacks at the end (empty when every job got everything)
     * @param loadBefore the machine's 1-minute load average when the jobs were created
     * @param loadAfter and when every job was Starting
     */
    public record Result(
            int jobs,
            boolean complete,
            Duration created,
            Duration allPods,
            Duration allStarting,
            Map<String, Long> operatorRequests,
            long trailingRequests,
            Heap heap,
            List<String> problems,
            double loadBefore,
            double loadAfter) {

        public long totalOperatorRequests() {
            return operatorRequests.values().stream().mapToLong(Long::longValue).sum();
        }

        public double requestsPerSecond() {
            return totalOperatorRequests() / seconds(allStarting);
        }
    }

    private ScaleBenchmark() {}

    /** Usage: {@code ScaleBenchmark [jobs] [markdown file to write the result into]}. */
    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        // The operator's per-transition info lines would bury the table; warnings still show.
        java.util.logging.Logger.getLogger("").setLevel(Level.WARNING);
        Result result = run(new Settings(jobs, Duration.ofMinutes(10), true));
        String report = report(result);
        System.out.println(report);
        if (args.length > 1) {
            writeInto(Path.of(args[1]), report);
        }
        // Client threads may linger; the result is out.
        System.exit(result.complete() && result.problems().isEmpty() ? 0 : 1);
    }

    public static Result run(Settings settings) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // Stores managedFields as a real API server does: most of what an operator's caches hold
        // on a cluster.
        KubernetesMockServer server = ManagedFieldsCrudDispatcher.startServer();
        KubernetesClient operatorClient = server.createClient();
        try (KubernetesClient client =
                new KubernetesClientBuilder()
                        .withConfig(
                                new ConfigBuilder(operatorClient.getConfiguration())
                                        .withUserAgent(USER_AGENT)
                                        .build())
                        .build()) {
            TestCrd.apply(client);
            long empty = settings.measureHeap() ? liveHeap(memory) : 0;

            Operator operator = start(operatorClient);
            long operatorIdle = settings.measureHeap() ? liveHeap(memory) : 0;
            Requests requests = new Requests(server);
            requests.drain();
            requests.reset();

            List<SamTrainingJob> jobs =
                    IntStream.range(0, settings.jobs())
                            .mapToObj(i -> job("scale-%04d".formatted(i)))
                            .toList();
            AtomicLong peak = new AtomicLong();
            var sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(
                    () -> peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max),
                    0,
                    100,
                    TimeUnit.MILLISECONDS);

            Watcher watcher = new Watcher(client);
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            long start = System.nanoTime();
            ExecutorService creators = Executors.newFixedThreadPool(CREATE_THREADS);
            AtomicLong createdAt = new AtomicLong();
            CompletableFuture<Void> creating =
                    CompletableFuture.allOf(
                                    jobs.stream()
                                            .map(
                                                    job ->
                                                            CompletableFuture.runAsync(
                                                                    () ->
                                                                            client.resource(job)
                                                                                    .create(),
                                                                    creators))
                                            .toArray(CompletableFuture[]::new))
                            .thenRun(() -> createdAt.set(System.nanoTime()));

            Duration allPods = null;
            Duration allStarting = null;
            Duration timeout = settings.timeout();
            while (Duration.ofNanos(System.nanoTime() - start).compareTo(timeout) < 0) {
                requests.drain();
                Duration now = Duration.ofNanos(System.nanoTime() - start);
                if (allPods == null && watcher.withPair() == settings.jobs()) {
                    allPods = now;
                }
                if (watcher.withPair() == settings.jobs()
                        && watcher.starting() == settings.jobs()) {
                    allStarting = now;
                    break;
                }
                Thread.sleep(CHECK.toMillis());
            }
            double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            creating.join();
            creators.shutdown();
            sampler.shutdown();
            watcher.close();
            // Its caches hold every job and pod: not the operator's, not the mock server's.
            watcher = null;
            Map<String, Long> untilStarting = requests.byKind();
            requests.reset();
            requests.awaitQuiet(Duration.ofSeconds(2), Duration.ofSeconds(30));
            long trailing = requests.total();

            List<String> problems = check(client, jobs);
            long withOperator = settings.measureHeap() ? liveHeap(memory) : 0;
            List<ItemStore<?>> stores = configuredStores(operator);
            operator.stop();
            operatorClient.close();
            operator = null;
            // The default stores live in the informers, which stop drops; configured ones live in
            // the controller's configuration, which something keeps reachable after stop. Empty
            // them, so that "operator retains" counts them as it counts the default ones.
            stores.forEach(store -> store.keySet().toList().forEach(store::remove));
            long withoutOperator = settings.measureHeap() ? liveHeap(memory) : 0;
            return new Result(
                    settings.jobs(),
                    allStarting != null,
                    Duration.ofNanos(createdAt.get() - start),
                    allPods,
                    allStarting,
                    untilStarting,
                    trailing,
                    new Heap(
                            empty,
                            operatorIdle,
                            withOperator,
                            withoutOperator,
                            peak.get(),
                            memory.getHeapMemoryUsage().getMax()),
                    problems,
                    loadBefore,
                    loadAfter);
        } finally {
            operatorClient.close();
            server.destroy();
        }
    }

    /** The operator as the Quarkus application runs it, minus Quarkus and leader election. */
    private static Operator start(KubernetesClient client) {
        // The mock API server cannot do server-side apply: patch the plain way, as the tests do.
        Operator operator =
                new Operator(
                        o ->
                                o.withKubernetesClient(client)
                                        .withCloseClientOnStop(false)
                                        .withConcurrentReconciliationThreads(RECONCILE_CONCURRENCY)
                                        .withUseSSAToPatchPrimaryResource(false)
                                        .withSSABasedCreateUpdateMatchForDependentResources(false));
        SamTrainingJobReconciler reconciler =
                new SamTrainingJobReconciler(
                        new OperatorSettings("trainer:scale", PROGRESS_POLL, "sam-system"),
                        new ProgressPoller(PROGRESS_POLL, Clock.systemUTC()),
                        new OperatorMetrics(new SimpleMeterRegistry()),
                        Clock.systemUTC());
        // The runtime configuration first, then the reconciler's own: as the Quarkus extension.
        operator.register(
                reconciler,
                c ->
                        reconciler.updateConfigurationFrom(
                                c.settingNamespaces(Set.of(TestJobs.NAMESPACE))));
        operator.start();
        return operator;
    }

    /** The item stores configured for the operator's caches (none: the informers' own). */
    private static List<ItemStore<?>> configuredStores(Operator operator) {
        @SuppressWarnings("unchecked")
        Controller<SamTrainingJob> controller =
                (Controller<SamTrainingJob>)
                        operator.getRegisteredController(SamTrainingJobReconciler.NAME)
                                .orElseThrow();
        Stream<ItemStore<?>> primaries =
                Stream.of(controller.getConfiguration().getInformerConfig().getItemStore());
        Stream<ItemStore<?>> pods =
                controller.getEventSourceManager().getEventSourcesFor(Pod.class).stream()
                        .map(
                                source ->
                                        ((InformerEventSource<Pod, SamTrainingJob>) source)
                                                .configuration()
                                                .getInformerConfig()
                                                .getItemStore());
        return Stream.concat(primaries, pods).filter(Objects::nonNull).toList();
    }

    private static SamTrainingJob job(String name) {
        SamTrainingJob job = TestJobs.sampa(name);
        // The API server assigns these.
        job.getMetadata().setUid(null);
        job.getMetadata().setGeneration(null);
        // As `kubectl apply` (and Argo CD's default client-side apply) sends a manifest.
        job.getMetadata().setAnnotations(Map.of(LAST_APPLIED, Serialization.asJson(job)));
        return job;
    }

    /**
     * Watches the jobs and the operator's pods as {@code kubectl get -w} would: listing a thousand
     * jobs and two thousand pods every few hundred milliseconds would load the mock server's one
     * event loop as much as the operator does, and the poll's period would be the resolution.
     */
    private static final class Watcher implements AutoCloseable {
        private final Map<String, Phase> phases = new ConcurrentHashMap<>();
        private final Map<String, Set<String>> pods = new ConcurrentHashMap<>();
        private final SharedIndexInformer<SamTrainingJob> jobInformer;
        private final SharedIndexInformer<Pod> podInformer;

        Watcher(KubernetesClient client) {
            jobInformer =
                    client.resources(SamTrainingJob.class)
                            .inNamespace(TestJobs.NAMESPACE)
                            .inform(
                                    handler(
                                            (SamTrainingJob job) -> {
                                                if (job.getStatus() != null
                                                        && job.getStatus().getPhase() != null) {
                                                    phases.put(
                                                            job.getMetadata().getName(),
                                                            job.getStatus().getPhase());
                                                }
                                            },
                                            job -> phases.remove(job.getMetadata().getName())));
            podInformer =
                    client.pods()
                            .inNamespace(TestJobs.NAMESPACE)
                            .withLabel(Constants.LABEL_MANAGED_BY, Constants.MANAGED_BY)
                            .inform(
                                    handler(
                                            (Pod pod) ->
                                                    podsOf(pod).add(pod.getMetadata().getName()),
                                            pod ->
                                                    podsOf(pod)
                                                            .remove(pod.getMetadata().getName())));
        }

        long starting() {
            return phases.values().stream().filter(p -> p == Phase.STARTING).count();
        }

        long withPair() {
            return pods.values().stream().filter(names -> names.size() == 2).count();
        }

        private Set<String> podsOf(Pod pod) {
            return pods.computeIfAbsent(
                    pod.getMetadata().getLabels().get(Constants.LABEL_JOB),
                    job -> ConcurrentHashMap.newKeySet());
        }

        private static <T> ResourceEventHandler<T> handler(Consumer<T> seen, Consumer<T> deleted) {
            return new ResourceEventHandler<>() {
                @Override
                public void onAdd(T resource) {
                    seen.accept(resource);
                }

                @Override
                public void onUpdate(T before, T after) {
                    seen.accept(after);
                }

                @Override
                public void onDelete(T resource, boolean finalStateUnknown) {
                    deleted.accept(resource);
                }
            };
        }

        @Override
        public void close() {
            jobInformer.close();
            podInformer.close();
        }
    }

    private static Map<String, List<Pod>> podsByJob(KubernetesClient client) {
        return client
                .pods()
                .inNamespace(TestJobs.NAMESPACE)
                .withLabel(Constants.LABEL_MANAGED_BY, Constants.MANAGED_BY)
                .list()
                .getItems()
                .stream()
                .collect(
                        Collectors.groupingBy(
                                p -> p.getMetadata().getLabels().get(Constants.LABEL_JOB)));
    }

    /** Every job Starting, with pods {@code <job>-0} and {@code <job>-1} and its 4 companions. */
    private static List<String> check(KubernetesClient client, List<SamTrainingJob> jobs) {
        String ns = TestJobs.NAMESPACE;
        Map<String, SamTrainingJob> stored =
                client.resources(SamTrainingJob.class).inNamespace(ns).list().getItems().stream()
                        .collect(Collectors.toMap(j -> j.getMetadata().getName(), j -> j));
        Map<String, List<Pod>> pods = podsByJob(client);
        Set<String> configMaps = names(client.configMaps().inNamespace(ns).list().getItems());
        Set<String> secrets = names(client.secrets().inNamespace(ns).list().getItems());
        Set<String> services = names(client.services().inNamespace(ns).list().getItems());
        Set<String> policies =
                names(client.network().v1().networkPolicies().inNamespace(ns).list().getItems());
        List<String> problems = new ArrayList<>();
        for (SamTrainingJob job : jobs) {
            String name = job.getMetadata().getName();
            SamTrainingJob found = stored.get(name);
            Phase phase =
                    found == null || found.getStatus() == null
                            ? null
                            : found.getStatus().getPhase();
            if (phase != Phase.STARTING) {
                problems.add(name + ": phase " + phase);
            }
            Set<String> podNames = names(pods.getOrDefault(name, List.of()));
            if (!podNames.equals(Set.of(JobNames.pod(job, 0), JobNames.pod(job, 1)))) {
                problems.add(name + ": pods " + podNames);
            }
            Map<String, Boolean> companions =
                    Map.of(
                            "ConfigMap " + JobNames.configMap(job),
                            configMaps.contains(JobNames.configMap(job)),
                            "Secret " + JobNames.secret(job),
                            secrets.contains(JobNames.secret(job)),
                            "Service " + JobNames.service(job),
                            services.contains(JobNames.service(job)),
                            "NetworkPolicy " + JobNames.networkPolicy(job),
                            policies.contains(JobNames.networkPolicy(job)));
            companions.forEach(
                    (what, present) -> {
                        if (!present) {
                            problems.add(name + ": no " + what);
                        }
                    });
        }
        return problems;
    }

    private static Set<String> names(List<? extends HasMetadata> resources) {
        return resources.stream().map(r -> r.getMetadata().getName()).collect(Collectors.toSet());
    }

    private static long liveHeap(MemoryMXBean memory) throws InterruptedException {
        // Two full collections: the first may only queue finalizable and reference objects.
        for (int i = 0; i < 2; i++) {
            memory.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /**
     * The requests the mock server saw, taken out of its queue (which would otherwise keep every
     * request, bodies included, for the whole run) and counted by method and resource; the
     * benchmark's own (its User-Agent) are left out.
     */
    private static final class Requests {
        private final KubernetesMockServer server;
        private final Map<String, Long> counts = new TreeMap<>();

        Requests(KubernetesMockServer server) {
            this.server = server;
        }

        void drain() throws InterruptedException {
            RecordedRequest request;
            while ((request = server.takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
                String agent = request.getHeader("User-Agent");
                if (agent == null || !agent.startsWith(USER_AGENT)) {
                    counts.merge(kind(request), 1L, Long::sum);
                }
            }
        }

        void reset() {
            counts.clear();
        }

        Map<String, Long> byKind() {
            return new TreeMap<>(counts);
        }

        long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Drains until no request came for {@code quiet}, or {@code limit} passed. */
        void awaitQuiet(Duration quiet, Duration limit) throws InterruptedException {
            long until = System.nanoTime() + limit.toNanos();
            long last = total();
            long lastChange = System.nanoTime();
            while (System.nanoTime() < until && System.nanoTime() - lastChange < quiet.toNanos()) {
                Thread.sleep(100);
                drain();
                if (total() != last) {
                    last = total();
                    lastChange = System.nanoTime();
                }
            }
        }

        /** "POST pods", "PUT samtrainingjobs/status", "GET pods (watch)". */
        static String kind(RecordedRequest request) {
            String path = request.getPath();
            int query = path.indexOf('?');
            boolean watch = query >= 0 && path.substring(query).contains("watch=true");
            List<String> parts = List.of((query >= 0 ? path.substring(0, query) : path).split("/"));
            int ns = parts.indexOf("namespaces");
            String resource;
            if (ns >= 0 && parts.size() > ns + 2) {
                resource = parts.get(ns + 2);
                if (parts.size() > ns + 4) {
                    resource += "/" + parts.get(ns + 4);
                }
            } else {
                resource = parts.get(parts.size() - 1);
            }
            boolean named = ns >= 0 && parts.size() > ns + 3;
            String suffix =
                    watch
                            ? " (watch)"
                            : !named && "GET".equals(request.getMethod()) ? " (list)" : "";
            return request.getMethod() + " " + resource + suffix;
        }
    }

    static String report(Result r) {
        Heap h = r.heap();
        Function<Long, String> mib = bytes -> "%.0f".formatted(bytes / MIB);
        StringBuilder out = new StringBuilder();
        out.append(
                "| jobs | all created | all with 2 pods | all Starting | operator requests (per job, per s) | heap: operator retains | mock store | live at end | peak used | -Xmx |\n");
        out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        out.append(
                "| %d | %.1f s | %s | %s | %d (%.1f, %.0f/s) | %s MiB | %s MiB | %s MiB | %s MiB | %s MiB |\n"
                        .formatted(
                                r.jobs(),
                                seconds(r.created()),
                                r.allPods() == null
                                        ? "never"
                                        : "%.1f s".formatted(seconds(r.allPods())),
                                r.complete()
                                        ? "%.1f s".formatted(seconds(r.allStarting()))
                                        : "never",
                                r.totalOperatorRequests(),
                                r.totalOperatorRequests() / (double) r.jobs(),
                                r.complete() ? r.requestsPerSecond() : 0.0,
                                mib.apply(h.operatorRetained()),
                                mib.apply(h.mockServerStore()),
                                mib.apply(h.withOperator()),
                                mib.apply(h.peakUsed()),
                                mib.apply(h.max())));
        out.append("\nOperator requests until every job was Starting, by kind:\n\n");
        out.append("| request | count | per job |\n| --- | ---: | ---: |\n");
        r.operatorRequests()
                .forEach(
                        (kind, count) ->
                                out.append(
                                        "| %s | %d | %.2f |\n"
                                                .formatted(
                                                        kind, count, count / (double) r.jobs())));
        out.append(
                "\nAfter that, until the operator was quiet for 2 s: %d more requests.\n"
                        .formatted(r.trailingRequests()));
        out.append(
                "Heap after a full collection: mock server with the CRD %s MiB; plus the idle operator %s MiB; at the end %s MiB; at the end without the operator %s MiB.\n"
                        .formatted(
                                mib.apply(h.empty()),
                                mib.apply(h.operatorIdle()),
                                mib.apply(h.withOperator()),
                                mib.apply(h.withoutOperator())));
        out.append(
                "Machine load (1-minute average) when the jobs were created: %.1f; when all were Starting: %.1f.\n"
                        .formatted(r.loadBefore(), r.loadAfter()));
        out.append(
                r.problems().isEmpty()
                        ? "Every job: phase Starting, pods -0 and -1, ConfigMap, Secret, Service, NetworkPolicy.\n"
                        : "Problems (%d): %s\n"
                                .formatted(
                                        r.problems().size(),
                                        r.problems().stream()
                                                .limit(10)
                                                .collect(Collectors.joining("; "))));
        return out.toString();
    }

    /** Replaces the latest-run section of {@code doc} (between its markers), or appends one. */
    private static void writeInto(Path doc, String report) throws IOException {
        String section =
                BEGIN
                        + "\n\nLatest run, "
                        + LocalDate.now()
                        + ", "
                        + Runtime.getRuntime().availableProcessors()
                        + " cores, "
                        + System.getProperty("java.vm.name")
                        + " "
                        + System.getProperty("java.version")
                        + ", JVM options "
                        + ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                                .filter(a -> a.startsWith("-X"))
                                .collect(Collectors.joining(" "))
                        + ":\n\n"
                        + report
                        + "\n"
                        + END;
        String text = Files.exists(doc) ? Files.readString(doc) : "";
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        String updated =
                begin >= 0 && end > begin
                        ? text.substring(0, begin) + section + text.substring(end + END.length())
                        : text + (text.isEmpty() ? "" : "\n") + section + "\n";
        Files.writeString(doc, updated);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
