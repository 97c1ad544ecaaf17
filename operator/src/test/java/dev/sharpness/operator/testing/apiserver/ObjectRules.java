package dev.sharpness.operator.testing.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a real API server checks in every object's metadata before it stores it, and the mock server
 * does not: the name's format for its kind, label keys and values, annotation keys and their total
 * size (Kubernetes' apimachinery validation); and in a pod, what the operator's pods use of the
 * downward API (a resource field of an environment variable: its resource and its divisor; the
 * container it names is the kubelet's to find, as in a cluster). Each problem reads as the API
 * server words it.
 */
public final class ObjectRules {
    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_1123_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern QUALIFIED_NAME =
            Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE =
            Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final int ANNOTATIONS_LIMIT = 256 * 1024;

    /** Resources whose names must be DNS-1035 labels (Services) or DNS-1123 labels. */
    private static final Map<String, String> NAME_RULES =
            Map.of("services", "dns1035", "namespaces", "dns1123label");

    /** The resources a container's environment may take from the downward API. */
    private static final Set<String> ENV_RESOURCES =
            Set.of(
                    "limits.cpu",
                    "limits.memory",
                    "limits.ephemeral-storage",
                    "requests.cpu",
                    "requests.memory",
                    "requests.ephemeral-storage");

    /** The divisors a CPU resource field may have. */
    private static final Set<String> CPU_DIVISORS = Set.of("1m", "1");

    private ObjectRules() {}

    /** The problems with {@code object}'s metadata, stored as {@code resource}; empty if none. */
    public static List<String> problems(String resource, JsonNode object) {
        List<String> problems = new ArrayList<>();
        JsonNode metadata = object.path("metadata");
        String name = metadata.path("name").asText("");
        if (!name.isEmpty()) {
            name(resource, name).ifPresent(p -> problems.add("metadata.name: " + p));
        }
        Iterator<Map.Entry<String, JsonNode>> labels = metadata.path("labels").fields();
        while (labels.hasNext()) {
            Map.Entry<String, JsonNode> label = labels.next();
            key(label.getKey()).forEach(p -> problems.add("metadata.labels: " + p));
            labelValue(label.getValue().asText())
                    .ifPresent(p -> problems.add("metadata.labels: " + p));
        }
        int annotationBytes = 0;
        Iterator<Map.Entry<String, JsonNode>> annotations = metadata.path("annotations").fields();
        while (annotations.hasNext()) {
            Map.Entry<String, JsonNode> annotation = annotations.next();
            key(annotation.getKey()).forEach(p -> problems.add("metadata.annotations: " + p));
            annotationBytes +=
                    annotation.getKey().getBytes(StandardCharsets.UTF_8).length
                            + annotation
                                    .getValue()
                                    .asText()
                                    .getBytes(StandardCharsets.UTF_8)
                                    .length;
        }
        if (annotationBytes > ANNOTATIONS_LIMIT) {
            problems.add(
                    "metadata.annotations: Too long: must have at most "
                            + ANNOTATIONS_LIMIT
                            + " bytes");
        }
        if (resource.equals("pods")) {
            problems.addAll(resourceFields(object.path("spec")));
        }
        return problems;
    }

    /** The environment's resource fields in a pod's containers. */
    private static List<String> resourceFields(JsonNode podSpec) {
        List<String> problems = new ArrayList<>();
        JsonNode list = podSpec.path("containers");
        for (int i = 0; i < list.size(); i++) {
            JsonNode env = list.get(i).path("env");
            for (int j = 0; j < env.size(); j++) {
                JsonNode field = env.get(j).path("valueFrom").path("resourceFieldRef");
                if (field.isMissingNode()) {
                    continue;
                }
                String path =
                        "spec.containers[" + i + "].env[" + j + "].valueFrom.resourceFieldRef";
                String resource = field.path("resource").asText("");
                String divisor = field.path("divisor").asText("");
                if (!ENV_RESOURCES.contains(resource)) {
                    problems.add(
                            path
                                    + ".resource: Unsupported value: \""
                                    + resource
                                    + "\": supported values: "
                                    + ENV_RESOURCES.stream()
                                            .sorted()
                                            .map(r -> "\"" + r + "\"")
                                            .collect(Collectors.joining(", ")));
                } else if (resource.endsWith(".cpu")
                        && !divisor.isEmpty()
                        && !CPU_DIVISORS.contains(divisor)) {
                    problems.add(
                            path
                                    + ".divisor: Invalid value: \""
                                    + divisor
                                    + "\": only divisor's values 1m and 1 are supported with the"
                                    + " cpu resource");
                }
            }
        }
        return problems;
    }

    /** A label value: at most 63 characters, alphanumerics with '-', '_' or '.' inside. */
    public static Optional<String> labelValue(String value) {
        if (value.length() > 63) {
            return Optional.of(
                    "Invalid value: \"" + value + "\": must be no more than 63 characters");
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
            return Optional.of(
                    "Invalid value: \""
                            + value
                            + "\": a valid label must be an empty string or consist of alphanumeric"
                            + " characters, '-', '_' or '.', and must start and end with an"
                            + " alphanumeric character");
        }
        return Optional.empty();
    }

    private static Optional<String> name(String resource, String name) {
        String rule = NAME_RULES.getOrDefault(resource, "dns1123subdomain");
        return switch (rule) {
            case "dns1035" -> check(name, DNS_1035_LABEL, 63, "a DNS-1035 label");
            case "dns1123label" -> check(name, DNS_1123_LABEL, 63, "a DNS-1123 label");
            default -> check(name, DNS_1123_SUBDOMAIN, 253, "a lowercase RFC 1123 subdomain");
        };
    }

    /** A label or annotation key: an optional DNS-1123 subdomain prefix and '/', then a name. */
    private static List<String> key(String key) {
        List<String> problems = new ArrayList<>();
        String name = key;
        int slash = key.lastIndexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            check(prefix, DNS_1123_SUBDOMAIN, 253, "a lowercase RFC 1123 subdomain")
                    .ifPresent(p -> problems.add("prefix of " + p));
        }
        if (name.length() > 63) {
            problems.add(
                    "Invalid value: \"" + key + "\": name part must be no more than 63 characters");
        } else if (!QUALIFIED_NAME.matcher(name).matches()) {
            problems.add(
                    "Invalid value: \""
                            + key
                            + "\": name part must consist of alphanumeric characters, '-', '_' or '.'");
        }
        return problems;
    }

    private static Optional<String> check(String value, Pattern pattern, int limit, String what) {
        if (value.length() > limit) {
            return Optional.of(
                    "Invalid value: \""
                            + value
                            + "\": must be no more than "
                            + limit
                            + " characters");
        }
        if (!pattern.matcher(value).matches()) {
            return Optional.of("Invalid value: \"" + value + "\": must be " + what);
        }
        return Optional.empty();
    }
}
