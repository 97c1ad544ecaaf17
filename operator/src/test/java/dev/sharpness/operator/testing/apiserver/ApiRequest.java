package dev.sharpness.operator.testing.apiserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One request to the Kubernetes API as an authorizer sees it: the verb, the API group, the resource
 * (with its subresource), the namespace and the object's name. Discovery and other paths outside
 * {@code /api/<v>/...} and {@code /apis/<g>/<v>/...} are non-resource requests.
 *
 * @param verb get, list, watch, create, update, patch, delete or deletecollection
 * @param group the API group, "" for the core group
 * @param resource the plural resource, or null for a non-resource request
 * @param subresource e.g. "status", or null
 * @param namespace the namespace of a namespaced request, or null (cluster-wide)
 * @param name the object's name, or null (a collection)
 */
public record ApiRequest(
        String verb,
        String group,
        String resource,
        String subresource,
        String namespace,
        String name) {

    /** Reads the request as the API server's authorizer does ({@code RequestInfo}). */
    public static ApiRequest of(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        boolean watch =
                Arrays.stream(query.split("&"))
                        .anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
        List<String> parts =
                Arrays.stream(path.split("/"))
                        .filter(s -> !s.isEmpty())
                        .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8))
                        .toList();
        String group;
        List<String> rest;
        if (parts.size() >= 2 && parts.get(0).equals("api")) {
            group = "";
            rest = parts.subList(2, parts.size());
        } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            rest = parts.subList(3, parts.size());
        } else {
            return new ApiRequest(method.toLowerCase(), null, null, null, null, path);
        }
        if (rest.isEmpty()) {
            // Discovery of a group version.
            return new ApiRequest(method.toLowerCase(), null, null, null, null, path);
        }
        String namespace = null;
        if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        String resource = rest.get(0);
        String name = rest.size() > 1 ? rest.get(1) : null;
        String subresource = rest.size() > 2 ? rest.get(2) : null;
        if (resource.equals("namespaces") && name != null) {
            // A namespace is named by the namespace it is.
            namespace = name;
        }
        return new ApiRequest(
                verb(method, name, watch), group, resource, subresource, namespace, name);
    }

    private static String verb(String method, String name, boolean watch) {
        return switch (method.toUpperCase()) {
            case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> method.toLowerCase();
        };
    }

    public boolean isResource() {
        return resource != null;
    }

    /** "pods" or "samtrainingjobs/status": what an RBAC rule's resources name. */
    public String fullResource() {
        return subresource == null ? resource : resource + "/" + subresource;
    }

    /** One line of the request table: verb, group, resource, scope. */
    public String permission() {
        return verb
                + " "
                + (group.isEmpty() ? "core" : group)
                + " "
                + fullResource()
                + " "
                + (namespace == null ? "cluster" : "namespaced");
    }
}
