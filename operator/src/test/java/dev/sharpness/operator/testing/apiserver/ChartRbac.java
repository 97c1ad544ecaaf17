package dev.sharpness.operator.testing.apiserver;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's permissions as the Helm chart grants them: the chart is rendered with {@code helm
 * template} (the way {@code helm install} would install it) and its Roles, ClusterRoles and
 * bindings for the operator's ServiceAccount are evaluated as Kubernetes' RBAC authorizer does.
 */
public final class ChartRbac {
    /** The chart, relative to the operator module (Surefire runs in the module's folder). */
    private static final Path CHART = Path.of("..", "charts", "sam-operator");

    public static final String RELEASE = "sam-operator";
    public static final String RELEASE_NAMESPACE = "sam-system";

    /** The user the operator's requests come as: the chart's ServiceAccount. */
    public static final String USER = "system:serviceaccount:" + RELEASE_NAMESPACE + ":" + RELEASE;

    private final String variant;
    private final List<PolicyRule> clusterRules = new ArrayList<>();
    private final Map<String, List<PolicyRule>> namespaceRules = new HashMap<>();

    private ChartRbac(String variant, List<HasMetadata> objects) {
        this.variant = variant;
        Map<String, List<PolicyRule>> clusterRoles = new HashMap<>();
        Map<String, List<PolicyRule>> roles = new HashMap<>();
        for (HasMetadata object : objects) {
            if (object instanceof ClusterRole role) {
                clusterRoles.put(role.getMetadata().getName(), role.getRules());
            } else if (object instanceof Role role) {
                roles.put(
                        key(role.getMetadata().getNamespace(), role.getMetadata().getName()),
                        role.getRules());
            }
        }
        for (HasMetadata object : objects) {
            if (object instanceof ClusterRoleBinding binding
                    && bindsOperator(binding.getSubjects())) {
                clusterRules.addAll(
                        clusterRoles.getOrDefault(binding.getRoleRef().getName(), List.of()));
            } else if (object instanceof RoleBinding binding
                    && bindsOperator(binding.getSubjects())) {
                String namespace = binding.getMetadata().getNamespace();
                RoleRef ref = binding.getRoleRef();
                List<PolicyRule> rules =
                        "ClusterRole".equals(ref.getKind())
                                ? clusterRoles.getOrDefault(ref.getName(), List.of())
                                : roles.getOrDefault(key(namespace, ref.getName()), List.of());
                namespaceRules.computeIfAbsent(namespace, n -> new ArrayList<>()).addAll(rules);
            }
        }
    }

    /** The chart installed to watch every namespace (a ClusterRole). */
    public static ChartRbac allNamespaces() {
        return render(List.of());
    }

    /** The chart installed to watch only {@code namespaces} (a Role in each). */
    public static ChartRbac watching(List<String> namespaces) {
        return render(namespaces);
    }

    private static ChartRbac render(List<String> watchNamespaces) {
        TemplateCommand template =
                new Helm(CHART)
                        .template()
                        .withName(RELEASE)
                        .withNamespace(RELEASE_NAMESPACE)
                        // Helm's default (1.20) is older than the chart's kubeVersion allows.
                        .withKubeVersion("1.30.0");
        for (int i = 0; i < watchNamespaces.size(); i++) {
            template.set("watchNamespaces[" + i + "]", watchNamespaces.get(i));
        }
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : template.call().split("(?m)^---\\s*$")) {
            if (document.contains("kind:")) {
                Object parsed = new KubernetesSerialization().unmarshal(document);
                if (parsed instanceof HasMetadata object) {
                    objects.add(object);
                }
            }
        }
        String variant =
                watchNamespaces.isEmpty()
                        ? "all namespaces"
                        : "watchNamespaces=" + String.join(",", watchNamespaces);
        return new ChartRbac(variant, objects);
    }

    /** Which installation this is, for messages. */
    public String variant() {
        return variant;
    }

    /**
     * Why the operator may not make this request, or empty when the chart allows it. Every
     * authenticated user may read discovery and ask what it may do (Kubernetes' system:discovery
     * and system:basic-user roles); everything else needs a rule of the chart.
     */
    public Optional<String> deny(ApiRequest request) {
        if (!request.isResource()) {
            return Optional.empty();
        }
        if (request.group().equals("authorization.k8s.io")
                && request.resource().startsWith("selfsubject")
                && request.verb().equals("create")) {
            return Optional.empty();
        }
        if (allows(clusterRules, request)
                || (request.namespace() != null
                        && allows(
                                namespaceRules.getOrDefault(request.namespace(), List.of()),
                                request))) {
            return Optional.empty();
        }
        return Optional.of(
                String.format(
                        "%s%s is forbidden: User \"%s\" cannot %s resource \"%s\" in API group \"%s\"%s"
                                + " (the chart, installed for %s, has no rule for it)",
                        request.fullResource(),
                        request.name() == null ? "" : " \"" + request.name() + "\"",
                        USER,
                        request.verb(),
                        request.fullResource(),
                        request.group(),
                        request.namespace() == null
                                ? " at the cluster scope"
                                : " in the namespace \"" + request.namespace() + "\"",
                        variant));
    }

    /** The rules that apply to the operator in {@code namespace} (a SelfSubjectRulesReview). */
    public List<PolicyRule> rulesIn(String namespace) {
        List<PolicyRule> rules = new ArrayList<>(clusterRules);
        rules.addAll(namespaceRules.getOrDefault(namespace, List.of()));
        return rules;
    }

    private static boolean allows(List<PolicyRule> rules, ApiRequest request) {
        return rules.stream().anyMatch(rule -> matches(rule, request));
    }

    private static boolean matches(PolicyRule rule, ApiRequest request) {
        return matchesAny(rule.getApiGroups(), request.group())
                && matchesAny(rule.getResources(), request.fullResource())
                && matchesAny(rule.getVerbs(), request.verb())
                && (rule.getResourceNames() == null
                        || rule.getResourceNames().isEmpty()
                        || (request.name() != null
                                && rule.getResourceNames().contains(request.name())));
    }

    private static boolean matchesAny(List<String> allowed, String value) {
        return allowed != null && (allowed.contains("*") || allowed.contains(value));
    }

    private static boolean bindsOperator(List<Subject> subjects) {
        return subjects != null
                && subjects.stream()
                        .anyMatch(
                                s ->
                                        "ServiceAccount".equals(s.getKind())
                                                && RELEASE.equals(s.getName())
                                                && RELEASE_NAMESPACE.equals(s.getNamespace()));
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
