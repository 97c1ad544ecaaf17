package dev.sharpness.api.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --set PATH=VALUE}: PATH is dotted from the document root, with {@code [n]} for a list
 * element ({@code spec.optimizer.base.betas[1]}); VALUE is read as YAML, so {@code 1} is an
 * integer, {@code [0.9, 0.99]} a list, {@code SAM} a string, and {@code null} or nothing removes
 * the field.
 */
final class SetOverride {
    private static final String FORM =
            "PATH=VALUE with PATH dotted from the document root, e.g. spec.training.epochs=1";

    private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)((?:\\[\\d+])*)");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

    private final String text;
    private final String path;

    /** Field names (String) and list indices (Integer), from the root. */
    private final List<Object> steps;

    private final JsonNode value;

    private SetOverride(String text, String path, List<Object> steps, JsonNode value) {
        this.text = text;
        this.path = path;
        this.steps = steps;
        this.value = value;
    }

    /** Reads one override; a malformed one is reported as a problem. */
    static SetOverride parse(String text) {
        int equals = text.indexOf('=');
        if (equals <= 0) {
            throw new ProblemException(
                    new Problem("--set", "expected " + FORM + ", got " + Describe.quoted(text)));
        }
        String path = text.substring(0, equals).trim();
        List<Object> steps = steps(path);
        if (steps == null) {
            throw new ProblemException(
                    new Problem(
                            "--set " + text,
                            "expected a PATH of field names separated by dots, each optionally"
                                    + " followed by [index], got "
                                    + Describe.quoted(path)));
        }
        JsonNode value = readValue(text, path, text.substring(equals + 1));
        return new SetOverride(text, path, steps, value);
    }

    /** The VALUE of a {@code --set PATH=VALUE} read as YAML; nothing after '=' is null. */
    private static JsonNode readValue(String text, String path, String valueText) {
        JsonParser parser;
        try {
            parser = ManifestMapper.MAPPER.createParser(valueText);
        } catch (IOException e) {
            throw new IllegalStateException("a parser over a string cannot fail to open", e);
        }
        try {
            JsonNode value = ManifestMapper.MAPPER.readTree(parser);
            return value == null || value.isMissingNode() ? NullNode.getInstance() : value;
        } catch (JsonProcessingException e) {
            String notFinite = ManifestLoader.notFinite(parser, e);
            if (notFinite != null) {
                // Named as the field's problem, as it would be in a manifest.
                String inner = FieldPath.of(parser.getParsingContext());
                String at =
                        inner.isEmpty() || inner.startsWith("[")
                                ? path + inner
                                : FieldPath.child(path, inner);
                throw new ProblemException(new Problem(at, notFinite).from(text));
            }
            String reason =
                    e instanceof MarkedYAMLException
                            ? ((MarkedYAMLException) e).getProblem()
                            : e.getOriginalMessage();
            throw new ProblemException(
                    new Problem(
                            "--set " + text,
                            "expected a YAML value after '=', got "
                                    + Describe.quoted(valueText)
                                    + " ("
                                    + reason
                                    + ")"));
        } catch (IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        } finally {
            try {
                parser.close();
            } catch (IOException e) {
                throw new IllegalStateException("closing a parser over a string cannot fail", e);
            }
        }
    }

    private static List<Object> steps(String path) {
        List<Object> steps = new ArrayList<>();
        for (String segment : path.split("\\.", -1)) {
            Matcher matcher = SEGMENT.matcher(segment);
            if (!matcher.matches()) {
                return null;
            }
            steps.add(matcher.group(1));
            Matcher index = INDEX.matcher(matcher.group(2));
            while (index.find()) {
                steps.add(Integer.parseInt(index.group(1)));
            }
        }
        return steps;
    }

    /** The override as given, {@code spec.training.epochs=1}. */
    String text() {
        return text;
    }

    /**
     * Whether a problem at this field path may be about what this override put there: the value
     * itself, something inside it, or a section it created on the way.
     */
    boolean covers(String problemPath) {
        return problemPath != null && (within(problemPath, path) || within(path, problemPath));
    }

    private static boolean within(String inner, String outer) {
        return inner.equals(outer)
                || inner.startsWith(outer + ".")
                || inner.startsWith(outer + "[");
    }

    /** Sets the value in the tree, creating missing mappings (and lists) on the way. */
    void applyTo(ObjectNode root) {
        JsonNode container = root;
        String at = "";
        for (int i = 0; i < steps.size(); i++) {
            Object step = steps.get(i);
            boolean last = i == steps.size() - 1;
            JsonNode next = last ? value : childFor(steps.get(i + 1));
            if (step instanceof String) {
                String name = (String) step;
                if (!container.isObject()) {
                    throw mismatch(at, "a mapping", container);
                }
                ObjectNode mapping = (ObjectNode) container;
                JsonNode existing = mapping.get(name);
                if (last || existing == null || existing.isNull()) {
                    mapping.set(name, next);
                } else {
                    next = existing;
                }
                at = FieldPath.child(at, name);
            } else {
                int index = (Integer) step;
                if (!container.isArray()) {
                    throw mismatch(at, "a list", container);
                }
                ArrayNode list = (ArrayNode) container;
                if (index > list.size()) {
                    throw new ProblemException(
                            new Problem(
                                            FieldPath.element(at, index),
                                            "expected an index from 0 to "
                                                    + list.size()
                                                    + " (the document's list has "
                                                    + list.size()
                                                    + " items; "
                                                    + list.size()
                                                    + " appends), got "
                                                    + index)
                                    .from(text));
                }
                if (index == list.size()) {
                    list.add(next);
                } else if (last || list.get(index).isNull()) {
                    list.set(index, next);
                } else {
                    next = list.get(index);
                }
                at = FieldPath.element(at, index);
            }
            container = next;
        }
    }

    private static JsonNode childFor(Object nextStep) {
        return nextStep instanceof Integer
                ? JsonNodeFactory.instance.arrayNode()
                : JsonNodeFactory.instance.objectNode();
    }

    private ProblemException mismatch(String at, String expected, JsonNode found) {
        return new ProblemException(
                new Problem(at, "expected " + expected + ", got " + Describe.node(found))
                        .from(text));
    }

    /** An override that cannot be read or applied. */
    static final class ProblemException extends RuntimeException {
        private final transient Problem problem;

        ProblemException(Problem problem) {
            super(problem.toString(), null, false, false);
            this.problem = problem;
        }

        Problem problem() {
            return problem;
        }
    }
}
