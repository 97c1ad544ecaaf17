package dev.sharpness.api.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** How problems name what a field expects and what a manifest holds, in the manifest's terms. */
final class Describe {
    private static final int LONGEST_QUOTED = 60;

    private Describe() {}

    /** What a field of this Java type accepts: "an integer", "a list", "one of [SGD, SAM]"... */
    static String expected(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + wireNames(type);
        }
        if (isIntegral(type)) {
            return "an integer";
        }
        if (type == double.class
                || type == float.class
                || type == Double.class
                || type == Float.class) {
            return "a finite number";
        }
        if (Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a mapping";
    }

    /** A value as the manifest shows it: strings quoted, mappings and lists by their kind. */
    static String node(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isTextual()) {
            return quoted(node.textValue());
        }
        if (node.isObject()) {
            return node.isEmpty() ? "an empty mapping" : "a mapping";
        }
        if (node.isArray()) {
            return node.isEmpty() ? "an empty list" : "a list";
        }
        if (node.isFloatingPointNumber()) {
            return number(node.doubleValue());
        }
        return node.asText();
    }

    /** A value bound into a Java object, for problems found after binding. */
    static String value(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof CharSequence) {
            return quoted(value.toString());
        }
        if (value instanceof Double || value instanceof Float) {
            return number(((Number) value).doubleValue());
        }
        return value.toString();
    }

    /** A number without a trailing ".0", and without scientific notation where it is short. */
    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.toString(value);
        }
        BigDecimal decimal = BigDecimal.valueOf(value).stripTrailingZeros();
        double magnitude = Math.abs(value);
        boolean plain = magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e15);
        return plain ? decimal.toPlainString() : decimal.toString();
    }

    static String quoted(String text) {
        String shown =
                text.length() > LONGEST_QUOTED ? text.substring(0, LONGEST_QUOTED) + "..." : text;
        return '"' + shown.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }

    /** The names manifests use for an enum's constants, in declaration order. */
    static List<String> wireNames(Class<?> enumType) {
        List<String> names = new ArrayList<>();
        for (Object constant : enumType.getEnumConstants()) {
            names.add(wireName((Enum<?>) constant));
        }
        return names;
    }

    private static String wireName(Enum<?> constant) {
        try {
            JsonProperty property =
                    constant.getDeclaringClass()
                            .getField(constant.name())
                            .getAnnotation(JsonProperty.class);
            return property == null || property.value().isEmpty()
                    ? constant.name()
                    : property.value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("an enum constant is a public field", e);
        }
    }

    static boolean isIntegral(Class<?> type) {
        return type == int.class
                || type == long.class
                || type == short.class
                || type == byte.class
                || type == Integer.class
                || type == Long.class
                || type == Short.class
                || type == Byte.class
                || type == BigInteger.class;
    }
}
