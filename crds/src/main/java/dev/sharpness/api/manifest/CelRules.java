package dev.sharpness.api.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates the API types' CEL rules ({@link ValidationRule}, the {@code x-kubernetes-validations}
 * of the generated CRD) as the API server does when a job is created: each rule with {@code self}
 * bound to the value it is declared on, transition rules (those reading {@code oldSelf}) skipped,
 * and a failure reported as the rule's {@code messageExpression} (or its {@code message}) at the
 * rule's place plus its {@code fieldPath}.
 *
 * <p>The environment is CEL's standard one with heterogeneous numeric comparisons, as in
 * Kubernetes; the rules use nothing of Kubernetes' own libraries, and a test compiles every rule of
 * the CRD here, so one that did would fail the build rather than a user's run.
 */
final class CelRules {
    private static final CelOptions OPTIONS =
            CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
    private static final CelCompiler COMPILER =
            CelCompilerFactory.standardCelCompilerBuilder()
                    .setOptions(OPTIONS)
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .addVar("self", SimpleType.DYN)
                    .addVar("oldSelf", SimpleType.DYN)
                    .build();
    private static final CelRuntime RUNTIME =
            CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    /** Compiled programs by expression: the rules are few and fixed, each compiled once. */
    private static final Map<String, Compiled> PROGRAMS = new ConcurrentHashMap<>();

    private CelRules() {}

    /**
     * Compiles {@code rules} on a daemon thread: CEL's first compilation loads and sets up much of
     * the library (about half a second on 2 cores), which this takes out of the first validation.
     */
    static void prepareInBackground(ValidationRule[] rules) {
        Thread thread =
                new Thread(
                        () -> {
                            for (ValidationRule rule : rules) {
                                compiled(rule.value());
                            }
                        },
                        "cel-rules");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * What validation found: the problems, in the order found, and the rules that could not be
     * evaluated, which are reported only when nothing else was found, since the usual cause is a
     * required field that is missing and already named among the problems.
     */
    record Findings(List<Problem> problems, List<Problem> unevaluable) {
        Findings() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        /** The problems, or where there are none, the rules that could not be evaluated. */
        List<Problem> all() {
            return problems.isEmpty() ? List.copyOf(unevaluable) : List.copyOf(problems);
        }
    }

    /**
     * Checks {@code rules} against {@code value}, the object or field they are declared on.
     *
     * @param path the value's field path ({@code spec.optimizer}), empty for the resource itself
     * @param findings where violations and rules that could not be evaluated go
     */
    static void check(ValidationRule[] rules, Object value, String path, Findings findings) {
        if (rules.length == 0) {
            return;
        }
        Object self = plain(ManifestMapper.MAPPER.valueToTree(value));
        for (ValidationRule rule : rules) {
            Compiled compiled = compiled(rule.value());
            if (compiled.transition()) {
                continue;
            }
            String rulePath = withFieldPath(path, rule.fieldPath());
            if (rulePath.isEmpty()) {
                rulePath = null; // about the resource as a whole
            }
            try {
                if (!Boolean.TRUE.equals(compiled.program().eval(Map.of("self", self)))) {
                    findings.problems().add(new Problem(rulePath, message(rule, self)));
                }
            } catch (CelEvaluationException e) {
                findings.unevaluable()
                        .add(
                                new Problem(
                                        rulePath,
                                        "rule "
                                                + rule.value()
                                                + " cannot be evaluated: "
                                                + e.getMessage()));
            }
        }
    }

    /**
     * The rule's messageExpression where it has one that yields a one-line text, otherwise its
     * message: the API server's choice too.
     */
    private static String message(ValidationRule rule, Object self) {
        if (!rule.messageExpression().isEmpty()) {
            try {
                Object text =
                        compiled(rule.messageExpression()).program().eval(Map.of("self", self));
                if (text instanceof String
                        && !((String) text).isBlank()
                        && !((String) text).contains("\n")) {
                    return (String) text;
                }
            } catch (CelEvaluationException e) {
                // Falls back to the static message, as the API server does.
            }
        }
        return rule.message().isEmpty() ? "failed rule: " + rule.value() : rule.message();
    }

    private static Compiled compiled(String expression) {
        return PROGRAMS.computeIfAbsent(expression, CelRules::compile);
    }

    private static Compiled compile(String expression) {
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
            boolean transition =
                    ast.getReferenceMap().values().stream()
                            .anyMatch(reference -> reference.name().equals("oldSelf"));
            return new Compiled(RUNTIME.createProgram(ast), transition);
        } catch (CelValidationException | CelEvaluationException e) {
            // The rules are constants of the API types: one that does not compile is a bug.
            throw new IllegalStateException(
                    "the CEL expression " + expression + " does not compile: " + e.getMessage(), e);
        }
    }

    /** A rule's path with its fieldPath ({@code .metadata.name}) appended. */
    private static String withFieldPath(String path, String fieldPath) {
        if (fieldPath.isEmpty()) {
            return path;
        }
        String relative = fieldPath.startsWith(".") ? fieldPath.substring(1) : fieldPath;
        return FieldPath.child(path, relative);
    }

    /** JSON as CEL's Java values: integers as long, numbers as double, objects as maps. */
    static Object plain(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(f -> map.put(f.getKey(), plain(f.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(plain(item)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.asText();
    }

    private record Compiled(CelRuntime.Program program, boolean transition) {}
}
