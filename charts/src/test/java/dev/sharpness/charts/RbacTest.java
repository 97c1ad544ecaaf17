package dev.sharpness.charts;

import static dev.sharpness.charts.RenderedChart.NAMESPACE;
import static dev.sharpness.charts.RenderedChart.RELEASE;
import static dev.sharpness.charts.RenderedChart.TWO_NAMESPACES;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The operator gets exactly {@link OperatorAccess}, and tenants get jobs through edit and view. */
class RbacTest {
    private static final String LEADER_ELECTION = RELEASE + "-leader-election";

    @Test
    void watchingAllNamespacesGrantsExactlyTheOperatorsAccessClusterWide() {
        RenderedChart chart = RenderedChart.render();

        ClusterRole role = chart.get(ClusterRole.class, RELEASE);
        assertThat(permissions(role.getRules()))
                .isEqualTo(OperatorAccess.permissions(OperatorAccess.WATCHED_NAMESPACES));

        ClusterRoleBinding binding = chart.get(ClusterRoleBinding.class, RELEASE);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(RELEASE);
        assertBoundToOperator(binding.getSubjects());
        assertThat(roles(chart)).containsOnlyKeys(NAMESPACE + "/" + LEADER_ELECTION);
    }

    @Test
    void watchingListedNamespacesGrantsARolePerNamespaceAndNothingClusterWide() {
        RenderedChart chart = RenderedChart.render(TWO_NAMESPACES);

        Map<String, Role> roles = roles(chart);
        assertThat(roles)
                .containsOnlyKeys(
                        "team-a/" + RELEASE,
                        "team-b/" + RELEASE,
                        NAMESPACE + "/" + LEADER_ELECTION);
        for (String namespace : List.of("team-a", "team-b")) {
            assertThat(permissions(roles.get(namespace + "/" + RELEASE).getRules()))
                    .as("Role in %s", namespace)
                    .isEqualTo(OperatorAccess.permissions(OperatorAccess.WATCHED_NAMESPACES));
            RoleBinding binding =
                    chart.ofKind("RoleBinding").stream()
                            .map(o -> RenderedChart.as(o, RoleBinding.class))
                            .filter(b -> namespace.equals(b.getMetadata().getNamespace()))
                            .findFirst()
                            .orElseThrow();
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(binding.getRoleRef().getName()).isEqualTo(RELEASE);
            assertBoundToOperator(binding.getSubjects());
        }
        // Only the tenant roles are cluster-wide, and nothing binds them to the operator.
        assertThat(names(chart.ofKind("ClusterRole")))
                .containsExactlyInAnyOrder(
                        RELEASE + "-samtrainingjobs-edit", RELEASE + "-samtrainingjobs-view");
        assertThat(chart.ofKind("ClusterRoleBinding")).isEmpty();
    }

    @Test
    void aNamespaceListedTwiceGetsOneRole() {
        RenderedChart chart =
                RenderedChart.render(
                        Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-a"));

        assertThat(roles(chart))
                .containsOnlyKeys("team-a/" + RELEASE, NAMESPACE + "/" + LEADER_ELECTION);
    }

    @Test
    void namespacesMayBeGivenAsOneCommaSeparatedString() {
        RenderedChart chart = RenderedChart.render(Map.of("watchNamespaces", "team-a, team-b"));

        assertThat(roles(chart))
                .containsOnlyKeys(
                        "team-a/" + RELEASE,
                        "team-b/" + RELEASE,
                        NAMESPACE + "/" + LEADER_ELECTION);
        assertThat(DeploymentTest.env(DeploymentTest.operator(chart)))
                .containsEntry("SAM_OPERATOR_WATCH_NAMESPACES", "team-a,team-b");
    }

    @Test
    void leaderElectionLeaseIsGrantedOnlyInTheReleaseNamespaceEitherWay() {
        for (Map<String, Object> values : List.of(Map.<String, Object>of(), TWO_NAMESPACES)) {
            RenderedChart chart = RenderedChart.render(values);

            Role role = roles(chart).get(NAMESPACE + "/" + LEADER_ELECTION);
            assertThat(role).as("leader election Role with %s", values).isNotNull();
            assertThat(permissions(role.getRules()))
                    .isEqualTo(OperatorAccess.permissions(OperatorAccess.OWN_NAMESPACE));
            RoleBinding binding = chart.get(RoleBinding.class, LEADER_ELECTION);
            assertThat(binding.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
            assertThat(binding.getRoleRef().getName()).isEqualTo(LEADER_ELECTION);
            assertBoundToOperator(binding.getSubjects());
        }
    }

    @Test
    void tenantsEditJobsThroughEditAndAdminAndReadThemThroughView() {
        RenderedChart chart = RenderedChart.render();

        ClusterRole edit = chart.get(ClusterRole.class, RELEASE + "-samtrainingjobs-edit");
        assertThat(edit.getMetadata().getLabels())
                .containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true")
                .containsEntry("rbac.authorization.k8s.io/aggregate-to-admin", "true")
                .doesNotContainKey("rbac.authorization.k8s.io/aggregate-to-view");
        assertThat(permissions(edit.getRules()))
                .containsExactlyInAnyOrder(
                        jobs(
                                        "get",
                                        "list",
                                        "watch",
                                        "create",
                                        "update",
                                        "patch",
                                        "delete",
                                        "deletecollection")
                                .toArray(String[]::new));

        ClusterRole view = chart.get(ClusterRole.class, RELEASE + "-samtrainingjobs-view");
        assertThat(view.getMetadata().getLabels())
                .containsEntry("rbac.authorization.k8s.io/aggregate-to-view", "true")
                .doesNotContainKeys(
                        "rbac.authorization.k8s.io/aggregate-to-edit",
                        "rbac.authorization.k8s.io/aggregate-to-admin");
        Set<String> expectedView = new TreeSet<>(jobs("get", "list", "watch"));
        for (String verb : List.of("get", "list", "watch")) {
            expectedView.add(
                    OperatorAccess.permission("sharpness.dev", "samtrainingjobs/status", verb));
        }
        assertThat(permissions(view.getRules())).isEqualTo(expectedView);
    }

    @Test
    void rbacAndTenantRolesCanBeLeftOut() {
        RenderedChart chart =
                RenderedChart.render(Map.of("rbac.create", false, "rbac.tenantRoles", false));

        for (String kind : List.of("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")) {
            assertThat(chart.ofKind(kind)).as(kind).isEmpty();
        }
    }

    /**
     * Rules flattened to "group/resource:verb"; a wildcard, a resource name or a non-resource URL
     * would grant more than the lines say, so none may appear.
     */
    static Set<String> permissions(List<PolicyRule> rules) {
        Set<String> permissions = new TreeSet<>();
        for (PolicyRule rule : rules) {
            assertThat(rule.getResourceNames()).as("resourceNames in %s", rule).isNullOrEmpty();
            assertThat(rule.getNonResourceURLs()).as("nonResourceURLs in %s", rule).isNullOrEmpty();
            for (List<String> list :
                    List.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs())) {
                assertThat(list).as("rule %s", rule).isNotEmpty().doesNotContain("*");
            }
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        permissions.add(OperatorAccess.permission(group, resource, verb));
                    }
                }
            }
        }
        return permissions;
    }

    private static Set<String> jobs(String... verbs) {
        Set<String> permissions = new TreeSet<>();
        for (String verb : verbs) {
            permissions.add(OperatorAccess.permission("sharpness.dev", "samtrainingjobs", verb));
        }
        return permissions;
    }

    /** Roles by "namespace/name". */
    private static Map<String, Role> roles(RenderedChart chart) {
        Map<String, Role> roles = new TreeMap<>();
        for (var object : chart.ofKind("Role")) {
            Role role = RenderedChart.as(object, Role.class);
            Role previous =
                    roles.put(
                            role.getMetadata().getNamespace() + "/" + role.getMetadata().getName(),
                            role);
            assertThat(previous).as("duplicate Role %s", role.getMetadata()).isNull();
        }
        return roles;
    }

    private static List<String> names(List<JsonNode> objects) {
        return objects.stream().map(o -> o.path("metadata").path("name").asText()).toList();
    }

    private static void assertBoundToOperator(List<Subject> subjects) {
        assertThat(subjects).hasSize(1);
        Subject subject = subjects.get(0);
        assertThat(subject.getKind()).isEqualTo("ServiceAccount");
        assertThat(subject.getName()).isEqualTo(RELEASE);
        assertThat(subject.getNamespace()).isEqualTo(NAMESPACE);
    }
}
