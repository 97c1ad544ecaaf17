package dev.sharpness.api.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Binds a manifest's tree to a {@link SamTrainingJob}. Unknown fields are collected and skipped, so
 * all of them are reported at once; the first value of a wrong type ends the binding.
 */
final class Binder {
    private final List<Problem> problems = new ArrayList<>();

    /** The bound job, or null when a value could not be bound; see {@link #problems()}. */
    SamTrainingJob bind(JsonNode tree) {
        try {
            return ManifestMapper.MAPPER
                    .readerFor(SamTrainingJob.class)
                    .withHandler(new UnknownFieldCollector())
                    .readValue(tree);
        } catch (InvalidDefinitionException e) {
            throw new IllegalStateException("the SamTrainingJob types cannot be bound", e);
        } catch (JsonMappingException e) {
            problems.add(problem(e, tree));
            return null;
        } catch (IOException e) {
            // A tree in memory has nothing left to fail on but its binding.
            throw new IllegalStateException("binding a tree failed", e);
        }
    }

    List<Problem> problems() {
        return problems;
    }

    private static Problem problem(JsonMappingException e, JsonNode tree) {
        String path = FieldPath.of(e.getPath());
        String found = Describe.node(FieldPath.resolve(tree, e.getPath()));
        if (e.getCause() instanceof InputCoercionException) {
            // An integer too large for its field: Jackson wraps the parser's error with the path.
            // Name the field's own bounds when it has them: "from 1 to 100000", not the int range.
            InputCoercionException range = (InputCoercionException) e.getCause();
            String bounds = bounds(e.getPath());
            return new Problem(
                    path,
                    "expected "
                            + (bounds != null ? bounds : range(range.getTargetType()))
                            + ", got "
                            + found);
        }
        Class<?> target =
                e instanceof MismatchedInputException
                        ? ((MismatchedInputException) e).getTargetType()
                        : null;
        if (target == null) {
            return new Problem(path, e.getOriginalMessage() + ", got " + found);
        }
        return new Problem(path, "expected " + Describe.expected(target) + ", got " + found);
    }

    /** "an integer from MIN to MAX" from the field's {@link Min} and {@link Max}, or null. */
    private static String bounds(List<JsonMappingException.Reference> path) {
        if (path.isEmpty()) {
            return null;
        }
        JsonMappingException.Reference last = path.get(path.size() - 1);
        Object from = last.getFrom();
        if (from == null || last.getFieldName() == null) {
            return null;
        }
        for (Class<?> type = from instanceof Class ? (Class<?>) from : from.getClass();
                type != null;
                type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                JsonProperty renamed = field.getAnnotation(JsonProperty.class);
                String name =
                        renamed != null && !renamed.value().isEmpty()
                                ? renamed.value()
                                : field.getName();
                if (name.equals(last.getFieldName())) {
                    Min min = field.getAnnotation(Min.class);
                    Max max = field.getAnnotation(Max.class);
                    if (min == null || max == null || !min.inclusive() || !max.inclusive()) {
                        return null;
                    }
                    return "an integer from "
                            + (long) Math.ceil(min.value())
                            + " to "
                            + (long) Math.floor(max.value());
                }
            }
        }
        return null;
    }

    private static String range(Class<?> type) {
        if (type == int.class || type == Integer.class) {
            return "an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (type == long.class || type == Long.class) {
            return "an integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        return Describe.expected(type);
    }

    /** Records each unknown field with the names its class knows, and skips its value. */
    private final class UnknownFieldCollector extends DeserializationProblemHandler {
        @Override
        public boolean handleUnknownProperty(
                DeserializationContext context,
                JsonParser parser,
                JsonDeserializer<?> deserializer,
                Object beanOrClass,
                String propertyName)
                throws IOException {
            String path = FieldPath.of(FieldPath.holderOfCurrentValue(parser));
            problems.add(
                    new Problem(
                            path,
                            "unknown field; expected one of "
                                    + sorted(deserializer.getKnownPropertyNames())));
            parser.skipChildren();
            return true;
        }
    }

    private static List<String> sorted(Collection<Object> names) {
        TreeSet<String> sorted = new TreeSet<>();
        if (names != null) {
            names.forEach(name -> sorted.add(name.toString()));
        }
        return new ArrayList<>(sorted);
    }
}
