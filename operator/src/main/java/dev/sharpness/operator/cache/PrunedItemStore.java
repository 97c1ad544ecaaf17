package dev.sharpness.operator.cache;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An informer cache that keeps what the operator reads and drops the bulk a real API server adds to
 * every object: {@code metadata.managedFields} (several KB per job or pod, most of what 1000 jobs
 * and 2000 pods took on a cluster) and kubectl's last-applied-configuration annotation (a copy of
 * the whole manifest). Objects are pruned in place as the informer stores them, so the event
 * handlers see the same pruned object.
 *
 * <p>Safe because the operator never writes an object back from these caches: it deletes jobs and
 * pods by name, and writes a job's status through the {@code status} subresource, where a real API
 * server takes only {@code status} from the body (metadata, annotations included, comes from the
 * stored object) and keeps the stored managedFields when the body carries none: its field manager
 * falls back to the live object's when the request's are empty or absent, and ignores the request's
 * on subresources (Kubernetes docs, Server-Side Apply, "Clearing managedFields": an empty list does
 * not reset them, "so managedFields never get stripped by clients not aware of the field"). The
 * {@code resourceVersion} that the status write's optimistic lock needs is kept. Do not prune a
 * cache that server-side apply matching reads (JOSDK's dependents compare managedFields), nor one
 * whose objects are sent back with a full update: that would drop the annotation on the server.
 *
 * <p>JOSDK hands one configured store to every informer of an event source, one informer per
 * watched namespace when several are listed; Fabric8 informers relist by removing from their store
 * whatever their own namespace's list lacks, so a shared store would lose the other namespaces'
 * objects. {@link #forNamespaces} hands out a store only where there is one informer.
 */
public final class PrunedItemStore<R extends HasMetadata> extends TransformingItemStore<R> {
    /** Written by {@code kubectl apply} (and Argo CD's default sync): the whole manifest again. */
    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    public PrunedItemStore() {
        super(PrunedItemStore::prune);
    }

    /**
     * A pruning store for an informer over {@code namespaces} (as JOSDK's configuration names
     * them), or null where JOSDK would start one informer per namespace: those must not share a
     * store.
     */
    public static <R extends HasMetadata> ItemStore<R> forNamespaces(Set<String> namespaces) {
        return InformerConfiguration.allNamespacesWatched(namespaces) || namespaces.size() == 1
                ? new PrunedItemStore<>()
                : null;
    }

    /** As {@link #forNamespaces}, for an event source that watches its controller's namespaces. */
    public static <R extends HasMetadata> ItemStore<R> forNamespacesOf(
            EventSourceContext<?> controller) {
        return forNamespaces(
                controller.getControllerConfiguration().getInformerConfig().getNamespaces());
    }

    /** Prunes the cache of the controller's primary resources, for the namespaces it watches. */
    public static <R extends HasMetadata> void prunePrimaries(
            ControllerConfigurationOverrider<R> controller) {
        // The overrider shows its namespaces only through what it would build (no side effects).
        ItemStore<R> store = forNamespaces(controller.build().getInformerConfig().getNamespaces());
        if (store != null) {
            controller.withItemStore(store);
        }
    }

    /** Drops managedFields and the last-applied-configuration annotation, in place. */
    public static <R extends HasMetadata> R prune(R resource) {
        ObjectMeta metadata = resource.getMetadata();
        if (metadata != null) {
            metadata.setManagedFields(null);
            Map<String, String> annotations = metadata.getAnnotations();
            if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
                Map<String, String> kept = new LinkedHashMap<>(annotations);
                kept.remove(LAST_APPLIED);
                metadata.setAnnotations(kept);
            }
        }
        return resource;
    }
}
