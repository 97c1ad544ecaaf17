package dev.sharpness.charts;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the operator does to the Kubernetes API, and so what its RBAC must grant, no more: the one
 * place to change when the operator's needs change. (The operator's own tests hold the rendered
 * chart against the requests it really makes, on a strict test API server.) Each entry reads "in
 * API group G, on resource R, these verbs".
 */
final class OperatorAccess {
    /** A grant of verbs on one resource of one API group ("" is the core group). */
    record Grant(String apiGroup, String resource, Set<String> verbs) {}

    /** What an informer does: every read of the operator is answered by its cache. */
    private static final Set<String> WATCH = Set.of("list", "watch");

    /**
     * In every namespace it watches: through a ClusterRole when it watches all of them, through a
     * Role in each one otherwise.
     */
    static final List<Grant> WATCHED_NAMESPACES =
            List.of(
                    // ttlSecondsAfterFinished deletes finished jobs; spec is never written.
                    new Grant("sharpness.dev", "samtrainingjobs", union(WATCH, "delete")),
                    // Replaced with optimistic locking; a conflict re-reads the cache and retries.
                    new Grant("sharpness.dev", "samtrainingjobs/status", Set.of("update")),
                    new Grant("", "pods", union(WATCH, "create", "delete")),
                    new Grant("", "configmaps", Set.of("get", "create", "update")),
                    new Grant("", "secrets", Set.of("get", "create")),
                    new Grant("", "services", Set.of("create")),
                    // Only to report a missing claim.
                    new Grant("", "persistentvolumeclaims", Set.of("get")),
                    new Grant("", "events", Set.of("create")),
                    new Grant(
                            "networking.k8s.io",
                            "networkpolicies",
                            Set.of("get", "create", "update")));

    /** In the operator's own namespace only: the leader election Lease. */
    static final List<Grant> OWN_NAMESPACE =
            List.of(
                    // Fabric8's leader election creates the Lease, then renews it with PATCH.
                    new Grant(
                            "coordination.k8s.io",
                            "leases",
                            Set.of("get", "create", "update", "patch")));

    private OperatorAccess() {}

    /** Grants as "group/resource:verb" lines, the form the RBAC tests compare. */
    static Set<String> permissions(List<Grant> grants) {
        Set<String> permissions = new TreeSet<>();
        for (Grant grant : grants) {
            for (String verb : grant.verbs()) {
                permissions.add(permission(grant.apiGroup(), grant.resource(), verb));
            }
        }
        return permissions;
    }

    static String permission(String apiGroup, String resource, String verb) {
        return apiGroup + "/" + resource + ":" + verb;
    }

    private static Set<String> union(Set<String> verbs, String... more) {
        Set<String> all = new TreeSet<>(verbs);
        all.addAll(List.of(more));
        return all;
    }
}
