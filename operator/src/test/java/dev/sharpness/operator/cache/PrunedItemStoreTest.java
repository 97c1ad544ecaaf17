package dev.sharpness.operator.cache;

import static dev.sharpness.operator.testing.TestJobs.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.operator.reconcile.SamTrainingJobReconciler;
import dev.sharpness.operator.testing.ManagedFieldsCrudDispatcher;
import dev.sharpness.operator.testing.RunningOperator;
import dev.sharpness.operator.testing.TestCrd;
import dev.sharpness.operator.testing.TestJobs;
import dev.sharpness.operator.testing.apiserver.ChartRbac;
import dev.sharpness.operator.testing.apiserver.StrictApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.EventSourceManager;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The operator's informer caches keep what it reads and leave the server's bulk on the server. */
class PrunedItemStoreTest {
    @Test
    void pruneDropsManagedFieldsAndLastAppliedAndKeepsTheRest() {
        Pod pod =
                new PodBuilder()
                        .withNewMetadata()
                        .withName("job-0")
                        .withNamespace(NAMESPACE)
                        .withResourceVersion("42")
                        .withLabels(Map.of("app", "sam"))
                        .withAnnotations(Map.of(PrunedItemStore.LAST_APPLIED, "{}", "note", "kept"))
                        .withManagedFields(
                                new ManagedFieldsEntryBuilder()
                                        .withManager("kubelet")
                                        .withOperation("Update")
                                        .build())
                        .endMetadata()
                        .build();

        Pod pruned = PrunedItemStore.prune(pod);

        assertThat(pruned.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(pruned.getMetadata().getAnnotations()).isEqualTo(Map.of("note", "kept"));
        assertThat(pruned.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(pruned.getMetadata().getLabels()).isEqualTo(Map.of("app", "sam"));
        assertThat(pruned.getMetadata().getName()).isEqualTo("job-0");
    }

    @Test
    void aStoreOnlyWhereOneInformerUsesIt() {
        assertThat(PrunedItemStore.<Pod>forNamespaces(Constants.WATCH_ALL_NAMESPACE_SET))
                .isInstanceOf(PrunedItemStore.class);
        assertThat(PrunedItemStore.<Pod>forNamespaces(Set.of(NAMESPACE)))
                .isInstanceOf(PrunedItemStore.class);
        // One informer per listed namespace: a shared store would lose the others' objects.
        assertThat(PrunedItemStore.<Pod>forNamespaces(Set.of("team-a", "team-b"))).isNull();
    }

    @Test
    void theOperatorsCachesHoldNoManagedFieldsWhileTheServersObjectsDo() {
        try (StrictApiServer api =
                        new StrictApiServer(
                                ChartRbac.watching(List.of(NAMESPACE)),
                                expectations -> new ManagedFieldsCrudDispatcher());
                RunningOperator running = new RunningOperator(api, NAMESPACE)) {
            KubernetesClient client = api.admin();
            TestCrd.apply(client);
            SamTrainingJob job = TestJobs.sampa("pruned");
            job.getMetadata().setUid(null);
            job.getMetadata().setGeneration(null);
            job.getMetadata()
                    .setAnnotations(
                            Map.of(
                                    PrunedItemStore.LAST_APPLIED,
                                    Serialization.asJson(job),
                                    "note",
                                    "kept"));
            client.resource(job).create();

            EventSourceManager<SamTrainingJob> caches = caches(running);
            @SuppressWarnings("unchecked")
            InformerEventSource<Pod, SamTrainingJob> podCache =
                    (InformerEventSource<Pod, SamTrainingJob>)
                            caches.getEventSourcesFor(Pod.class).get(0);
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(
                            () -> {
                                assertThat(podCache.list()).hasSize(2);
                                assertThat(caches.getControllerEventSource().list())
                                        .singleElement()
                                        .satisfies(
                                                j ->
                                                        assertThat(j.getStatus().getPhase())
                                                                .isEqualTo(Phase.STARTING));
                            });

            SamTrainingJob stored =
                    client.resources(SamTrainingJob.class)
                            .inNamespace(NAMESPACE)
                            .withName("pruned")
                            .get();
            List<Pod> storedPods = client.pods().inNamespace(NAMESPACE).list().getItems();
            // The server's objects carry what a real API server adds: the job's creator and the
            // operator's status writes, and the pods' creator.
            assertThat(stored.getMetadata().getManagedFields())
                    .extracting(e -> e.getSubresource())
                    .containsExactlyInAnyOrder(null, "status");
            assertThat(stored.getMetadata().getAnnotations())
                    .containsKeys(PrunedItemStore.LAST_APPLIED, "note");
            assertThat(storedPods)
                    .hasSize(2)
                    .allSatisfy(p -> assertThat(p.getMetadata().getManagedFields()).isNotEmpty());

            SamTrainingJob cached = caches.getControllerEventSource().list().findFirst().get();
            assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
            assertThat(cached.getMetadata().getAnnotations()).isEqualTo(Map.of("note", "kept"));
            // The operator may still be writing status: the cache follows the server's versions.
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(
                            () ->
                                    assertThat(
                                                    caches.getControllerEventSource()
                                                            .list()
                                                            .findFirst()
                                                            .get()
                                                            .getMetadata()
                                                            .getResourceVersion())
                                            .isEqualTo(
                                                    client.resource(stored)
                                                            .get()
                                                            .getMetadata()
                                                            .getResourceVersion()));
            Map<String, Pod> serverPods = byName(storedPods);
            assertThat(podCache.list().toList())
                    .allSatisfy(
                            p -> {
                                assertThat(p.getMetadata().getManagedFields()).isNullOrEmpty();
                                assertThat(p.getMetadata().getResourceVersion())
                                        .isEqualTo(
                                                serverPods
                                                        .get(p.getMetadata().getName())
                                                        .getMetadata()
                                                        .getResourceVersion());
                            });
            api.assertConforms();
        }
    }

    @SuppressWarnings("unchecked")
    private static EventSourceManager<SamTrainingJob> caches(RunningOperator running) {
        return ((Controller<SamTrainingJob>)
                        running.operator()
                                .getRegisteredController(SamTrainingJobReconciler.NAME)
                                .orElseThrow())
                .getEventSourceManager();
    }

    private static <R extends HasMetadata> Map<String, R> byName(List<R> resources) {
        return resources.stream()
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), Function.identity()));
    }
}
