package dev.sharpness.operator.testing.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Fabric8 mock API server in CRUD mode, made as strict as a real kube-apiserver where the
 * operator's correctness depends on it:
 *
 * <ul>
 *   <li><b>RBAC.</b> Requests made with the operator's token are authorized against the Helm
 *       chart's rendered RBAC ({@link ChartRbac}) and refused with 403 as a real server refuses
 *       them; every such request is recorded (verb, group, resource, subresource, scope), and a
 *       SelfSubjectRulesReview answers with the chart's rules.
 *   <li><b>Validation.</b> Every object created or replaced is checked by {@link ObjectRules}
 *       (names, label keys and values, annotation size) and refused with 422.
 *   <li><b>Graceful deletion.</b> Every pod is created holding {@link #GRACEFUL_DELETION}, so a
 *       deleted pod stays, marked with a deletionTimestamp, until a kubelet has stopped its
 *       container and lets it go ({@code TestKubelet} and {@code ProcessKubelet} do).
 *   <li><b>Namespace deletion.</b> {@link #deleteNamespace} marks a namespace terminating, refuses
 *       creation in it (403 with the NamespaceTerminating cause) and deletes its contents in the
 *       order the namespace controller does, companions before jobs.
 * </ul>
 *
 * Requests without the operator's token (the tests and their kubelet) act as a cluster admin.
 */
public final class StrictApiServer implements AutoCloseable {
    /** The bearer token of the operator's ServiceAccount. */
    public static final String OPERATOR_TOKEN = "sam-operator-service-account-token";

    /** Holds a deleted pod until a kubelet has stopped its container (see class comment). */
    public static final String GRACEFUL_DELETION = "test.sharpness.dev/graceful-deletion";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where each server appends the operator's requests, for the RBAC request table. */
    private static final Path REQUEST_LOG = Path.of("target", "rbac", "operator-requests.tsv");

    private final KubernetesMockServer server;
    private final ChartRbac rbac;
    private final Set<String> requests = new ConcurrentSkipListSet<>();
    private final Set<String> usedPerNamespace = new ConcurrentSkipListSet<>();
    private final Set<String> denied = new ConcurrentSkipListSet<>();
    private final Set<String> invalid = new ConcurrentSkipListSet<>();
    private final Set<String> terminating = ConcurrentHashMap.newKeySet();
    private final KubernetesClient admin;

    public StrictApiServer(ChartRbac rbac) {
        this(rbac, KubernetesMixedDispatcher::new);
    }

    /**
     * @param store makes the store behind the checks from the server's expectations (the default is
     *     the mock's CRUD store that also answers expectations; a test of what real servers add to
     *     objects passes another)
     */
    public StrictApiServer(
            ChartRbac rbac, Function<Map<ServerRequest, Queue<ServerResponse>>, Dispatcher> store) {
        this.rbac = rbac;
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        Dispatcher crud = store.apply(expectations);
        server =
                new KubernetesMockServer(
                        new Context(),
                        new MockWebServer(),
                        expectations,
                        new Dispatcher() {
                            @Override
                            public MockResponse dispatch(RecordedRequest request) {
                                return StrictApiServer.this.dispatch(request, crud);
                            }
                        },
                        false);
        server.init();
        admin = server.createClient();
    }

    /** The chart installed to watch only {@code namespaces}. */
    public static StrictApiServer watching(String... namespaces) {
        return new StrictApiServer(ChartRbac.watching(List.of(namespaces)));
    }

    /** The underlying mock server, for expectations (a scripted conflict, say). */
    public KubernetesMockServer mock() {
        return server;
    }

    public String url() {
        return server.url("/");
    }

    /** A client with every right: the test, its kubelet, the cluster's own controllers. */
    public KubernetesClient admin() {
        return admin;
    }

    /** A new client that authenticates as the operator's ServiceAccount. */
    public KubernetesClient operatorClient() {
        Config config =
                new ConfigBuilder(admin.getConfiguration()).withOauthToken(OPERATOR_TOKEN).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Every kind of request the operator made, as "verb group resource scope" lines. */
    public Set<String> operatorRequests() {
        return Set.copyOf(requests);
    }

    /**
     * Fails naming every request of the operator the chart's RBAC refused and every object the API
     * server refused as invalid; appends the operator's requests to the request table.
     */
    public void assertConforms() {
        writeRequestLog();
        StringBuilder problems = new StringBuilder();
        denied.forEach(d -> problems.append("\n  RBAC: ").append(d));
        invalid.forEach(i -> problems.append("\n  invalid: ").append(i));
        if (!problems.isEmpty()) {
            throw new AssertionError(
                    "the operator did what a real API server would refuse:" + problems);
        }
    }

    /**
     * Fails unless the operator used, in {@code namespace}, every permission the chart grants it
     * there, and no other: its RBAC is exactly what it calls. Run after tests that together take
     * every path of the operator that calls the API.
     */
    public void assertUsedExactlyTheGrantsIn(String namespace) {
        Set<String> granted = new java.util.TreeSet<>();
        for (var rule : rbac.rulesIn(namespace)) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        granted.add(
                                verb + " " + (group.isEmpty() ? "core" : group) + " " + resource);
                    }
                }
            }
        }
        Set<String> used = new java.util.TreeSet<>();
        String prefix = namespace + " ";
        usedPerNamespace.stream()
                .filter(u -> u.startsWith(prefix))
                .forEach(u -> used.add(u.substring(prefix.length())));
        Set<String> unused = new java.util.TreeSet<>(granted);
        unused.removeAll(used);
        Set<String> ungranted = new java.util.TreeSet<>(used);
        ungranted.removeAll(granted);
        if (!unused.isEmpty() || !ungranted.isEmpty()) {
            throw new AssertionError(
                    "in namespace "
                            + namespace
                            + " the chart ("
                            + rbac.variant()
                            + ") grants "
                            + unused
                            + " that the operator never used, and the operator used "
                            + ungranted
                            + " that the chart does not grant");
        }
    }

    /** "verb group resource" as the chart's rules say it. */
    private static String grant(ApiRequest api) {
        return api.verb()
                + " "
                + (api.group().isEmpty() ? "core" : api.group())
                + " "
                + api.fullResource();
    }

    /**
     * Deletes {@code namespace} as Kubernetes does: it is marked terminating (creating anything in
     * it is refused from now on), then its contents go, the jobs' companions before the jobs and
     * pods gracefully, and the namespace is gone once it is empty.
     */
    public void deleteNamespace(String namespace) {
        terminating.add(namespace);
        Thread controller =
                new Thread(() -> emptyNamespace(namespace), "namespace-controller-" + namespace);
        controller.setDaemon(true);
        controller.start();
    }

    /** True while a namespace is being deleted. */
    public boolean isTerminating(String namespace) {
        return terminating.contains(namespace);
    }

    @Override
    public void close() {
        admin.close();
        server.destroy();
    }

    private MockResponse dispatch(RecordedRequest received, Dispatcher crud) {
        // Reading a request's body consumes it: keep the bytes, hand the CRUD store a copy.
        byte[] bytes = received.getBody() == null ? new byte[0] : received.getBody().getBytes();
        RecordedRequest request = withBody(received, bytes);
        ApiRequest api = ApiRequest.of(request.getMethod(), request.getPath());
        if (("Bearer " + OPERATOR_TOKEN).equals(request.getHeader("Authorization"))) {
            if (api.isResource()) {
                requests.add(api.permission());
                if (api.namespace() != null) {
                    usedPerNamespace.add(api.namespace() + " " + grant(api));
                }
            }
            var refusal = rbac.deny(api);
            if (refusal.isPresent()) {
                denied.add(refusal.get());
                return status(403, "Forbidden", refusal.get(), null);
            }
            if (api.isResource() && api.resource().equals("selfsubjectrulesreviews")) {
                return rulesReview(body(bytes));
            }
        }
        if (!api.isResource()) {
            return crud.dispatch(withBody(request, bytes));
        }
        if (api.verb().equals("create")
                && api.namespace() != null
                && terminating.contains(api.namespace())
                && !api.resource().equals("namespaces")) {
            return status(
                    403,
                    "Forbidden",
                    String.format(
                            "%s is forbidden: unable to create new content in namespace %s because"
                                    + " it is being terminated",
                            api.resource(), api.namespace()),
                    "NamespaceTerminating");
        }
        if (api.verb().equals("create") || api.verb().equals("update")) {
            JsonNode body = body(bytes);
            if (body != null && api.subresource() == null) {
                List<String> problems = ObjectRules.problems(api.resource(), body);
                if (!problems.isEmpty()) {
                    String message =
                            api.resource()
                                    + " \""
                                    + body.path("metadata").path("name").asText()
                                    + "\" is invalid: "
                                    + String.join(", ", problems);
                    invalid.add(message);
                    return status(422, "Invalid", message, null);
                }
                if (api.verb().equals("create") && api.resource().equals("pods")) {
                    return crud.dispatch(withBody(request, withFinalizer((ObjectNode) body)));
                }
            }
        }
        return crud.dispatch(withBody(request, bytes));
    }

    private MockResponse rulesReview(JsonNode body) {
        String namespace = body == null ? null : body.path("spec").path("namespace").asText(null);
        List<ResourceRule> rules =
                rbac.rulesIn(namespace).stream()
                        .map(
                                r ->
                                        new ResourceRule(
                                                r.getApiGroups(),
                                                r.getResourceNames(),
                                                r.getResources(),
                                                r.getVerbs()))
                        .toList();
        var review =
                new SelfSubjectRulesReviewBuilder()
                        .withNewSpec()
                        .withNamespace(namespace)
                        .endSpec()
                        .withNewStatus()
                        .withResourceRules(rules)
                        .withIncomplete(false)
                        .endStatus()
                        .build();
        return json(201, review);
    }

    private static byte[] withFinalizer(ObjectNode pod) {
        ObjectNode metadata = (ObjectNode) pod.path("metadata");
        ArrayNode finalizers =
                metadata.has("finalizers")
                        ? (ArrayNode) metadata.get("finalizers")
                        : metadata.putArray("finalizers");
        finalizers.add(GRACEFUL_DELETION);
        return pod.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static RecordedRequest withBody(RecordedRequest request, byte[] body) {
        return new RecordedRequest(
                request.getHttpVersion(),
                request.method(),
                request.getPath(),
                request.getHeaders()
                        .newBuilder()
                        .set("Content-Length", Integer.toString(body.length))
                        .build(),
                new Buffer(body));
    }

    private void emptyNamespace(String namespace) {
        try {
            for (var resources :
                    List.of(
                            admin.configMaps().inNamespace(namespace),
                            admin.secrets().inNamespace(namespace),
                            admin.services().inNamespace(namespace),
                            admin.network().v1().networkPolicies().inNamespace(namespace))) {
                resources.list().getItems().forEach(o -> admin.resource((HasMetadata) o).delete());
            }
            pause();
            admin.pods().inNamespace(namespace).delete();
            // Pods take their grace period; the jobs go last, after a while in which their
            // operator sees its pods and companions gone and could try to bring them back.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!admin.pods().inNamespace(namespace).list().getItems().isEmpty()
                    && System.nanoTime() < deadline) {
                pause();
            }
            for (int i = 0; i < 6; i++) {
                pause();
            }
            admin.resources(SamTrainingJob.class).inNamespace(namespace).delete();
            admin.v1().events().inNamespace(namespace).delete();
        } finally {
            terminating.remove(namespace);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonNode body(byte[] bytes) {
        if (bytes.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private static MockResponse status(int code, String reason, String message, String cause) {
        StatusBuilder status =
                new StatusBuilder()
                        .withStatus("Failure")
                        .withCode(code)
                        .withReason(reason)
                        .withMessage(message);
        if (cause != null) {
            status.withNewDetails()
                    .withCauses(
                            new StatusCauseBuilder().withReason(cause).withMessage(message).build())
                    .endDetails();
        }
        return json(code, status.build());
    }

    private static MockResponse json(int code, Object body) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(body));
    }

    private void writeRequestLog() {
        try {
            Files.createDirectories(REQUEST_LOG.getParent());
            String lines =
                    requests.stream()
                            .map(r -> rbac.variant() + "\t" + r + "\n")
                            .collect(Collectors.joining());
            Files.writeString(
                    REQUEST_LOG, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
