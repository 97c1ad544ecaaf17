package dev.sharpness.api.manifest;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.sharpness.api.manifest.CelRules.Findings;
import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.lang.annotation.Annotation;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Checks a job against its API types, the single source of what the API server admits: the OpenAPI
 * bounds generated from the fabric8 annotations ({@link Required}, {@link Min}, {@link Max}, {@link
 * Pattern}, {@link Size}) and the CEL rules ({@link ValidationRule}) evaluated as the API server
 * evaluates them at creation. Beyond the CRD, it checks what the API server checks of every
 * resource: apiVersion, kind and a name.
 */
public final class SpecValidator {
    private static final String API_PACKAGE = SamTrainingJob.class.getPackageName();

    private SpecValidator() {}

    /**
     * Starts preparing the CEL rules on a daemon thread, so that the first validation spends less
     * time on CEL's start-up; a program that will validate a job calls this as early as it can.
     * Validation gives the same results without it.
     */
    public static void prepareInBackground() {
        CelRules.prepareInBackground(rules(SamTrainingJob.class));
    }

    /**
     * Every problem of the job, each as {@code <field path>: <expected>, got <found>} or as a CEL
     * rule's message at the rule's field; empty when the job is valid.
     */
    public static List<String> validate(SamTrainingJob job) {
        return problems(job).stream().map(Problem::toString).toList();
    }

    static List<Problem> problems(SamTrainingJob job) {
        Findings findings = new Findings();
        List<Problem> problems = findings.problems();
        // fabric8 fixes both from the class and ignores a document's values, which is why the
        // loader checks the document itself; this covers jobs that reach the validator otherwise.
        if (!Constants.API_VERSION.equals(job.getApiVersion())) {
            problems.add(mismatch("apiVersion", Constants.API_VERSION, job.getApiVersion()));
        }
        if (!Constants.KIND.equals(job.getKind())) {
            problems.add(mismatch("kind", Constants.KIND, job.getKind()));
        }
        String name = job.getMetadata() == null ? null : job.getMetadata().getName();
        if (name == null || name.isEmpty()) {
            problems.add(new Problem("metadata.name", "required"));
        }
        CelRules.check(rules(SamTrainingJob.class), job, "", findings);
        if (job.getSpec() == null) {
            problems.add(new Problem("spec", "required"));
        } else {
            walk(job.getSpec(), "spec", findings);
        }
        return findings.all();
    }

    /** Checks every property of an API object, then walks into its API objects and lists. */
    private static void walk(Object bean, String path, Findings findings) {
        List<Problem> problems = findings.problems();
        CelRules.check(rules(bean.getClass()), bean, path, findings);
        for (BeanPropertyDefinition property : properties(bean.getClass())) {
            AnnotatedMember getter = property.getAccessor();
            if (getter == null) {
                continue;
            }
            String propertyPath = FieldPath.child(path, property.getName());
            Object value = getter.getValue(bean);
            if (value == null) {
                if (annotation(property, Required.class) != null) {
                    problems.add(new Problem(propertyPath, "required"));
                }
                continue;
            }
            checkBounds(property, value, propertyPath, problems);
            CelRules.check(rules(property), value, propertyPath, findings);
            walkValue(value, propertyPath, findings);
        }
    }

    private static void walkValue(Object value, String path, Findings findings) {
        List<Problem> problems = findings.problems();
        if (isApiObject(value.getClass())) {
            walk(value, path, findings);
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            for (int i = 0; i < list.size(); i++) {
                String elementPath = FieldPath.element(path, i);
                if (list.get(i) == null) {
                    problems.add(new Problem(elementPath, "expected a value, got null"));
                } else {
                    walkValue(list.get(i), elementPath, findings);
                }
            }
        } else if (value instanceof Map) {
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (entry.getValue() != null) {
                    walkValue(
                            entry.getValue(),
                            FieldPath.child(path, String.valueOf(entry.getKey())),
                            findings);
                }
            }
        }
    }

    private static void checkBounds(
            BeanPropertyDefinition property, Object value, String path, List<Problem> problems) {
        Min min = annotation(property, Min.class);
        Max max = annotation(property, Max.class);
        if (value instanceof Number && !Double.isFinite(((Number) value).doubleValue())) {
            // The loader never binds one; a job built in code can hold one, and NaN would pass
            // every comparison below.
            problems.add(
                    new Problem(path, "expected a finite number, got " + Describe.value(value)));
        } else if (value instanceof Number && (min != null || max != null)) {
            double number = ((Number) value).doubleValue();
            // Written as "not admitted" so that anything incomparable is refused too.
            if (min != null && !(min.inclusive() ? number >= min.value() : number > min.value())) {
                String bound = min.inclusive() ? "at least " : "more than ";
                problems.add(bound(path, bound, min.value(), value));
            }
            if (max != null && !(max.inclusive() ? number <= max.value() : number < max.value())) {
                String bound = max.inclusive() ? "at most " : "less than ";
                problems.add(bound(path, bound, max.value(), value));
            }
        }
        Pattern pattern = annotation(property, Pattern.class);
        // OpenAPI patterns are unanchored searches (ECMA-262), hence find() rather than matches().
        if (pattern != null
                && value instanceof CharSequence
                && !java.util.regex.Pattern.compile(pattern.value())
                        .matcher((CharSequence) value)
                        .find()) {
            problems.add(
                    new Problem(
                            path,
                            "expected a string matching "
                                    + pattern.value()
                                    + ", got "
                                    + Describe.value(value)));
        }
        Size size = annotation(property, Size.class);
        if (size != null) {
            checkSize(size, value, path, problems);
        }
    }

    private static void checkSize(Size size, Object value, String path, List<Problem> problems) {
        long count;
        String unit;
        if (value instanceof CharSequence) {
            count = ((CharSequence) value).length();
            unit = "characters";
        } else if (value instanceof Collection) {
            count = ((Collection<?>) value).size();
            unit = "items";
        } else if (value instanceof Map) {
            count = ((Map<?, ?>) value).size();
            unit = "entries";
        } else {
            return;
        }
        String expected = null;
        if (size.min() == size.max() && count != size.min()) {
            expected = "exactly " + size.min();
        } else if (count < size.min()) {
            expected = "at least " + size.min();
        } else if (count > size.max()) {
            expected = "at most " + size.max();
        }
        if (expected != null) {
            problems.add(new Problem(path, "expected " + expected + " " + unit + ", got " + count));
        }
    }

    private static Problem bound(String path, String relation, double bound, Object value) {
        String shownBound =
                Describe.isIntegral(value.getClass())
                        ? Long.toString((long) bound)
                        : Describe.number(bound);
        return new Problem(
                path, "expected " + relation + shownBound + ", got " + Describe.value(value));
    }

    private static Problem mismatch(String path, String expected, String found) {
        return new Problem(
                path,
                "expected "
                        + expected
                        + ", got "
                        + (found == null ? "nothing" : Describe.quoted(found)));
    }

    private static boolean isApiObject(Class<?> type) {
        return type.getPackageName().equals(API_PACKAGE) && !type.isEnum();
    }

    private static List<BeanPropertyDefinition> properties(Class<?> type) {
        BeanDescription description =
                ManifestMapper.MAPPER
                        .getSerializationConfig()
                        .introspect(ManifestMapper.MAPPER.constructType(type));
        return description.findProperties();
    }

    private static ValidationRule[] rules(Class<?> type) {
        return type.getAnnotationsByType(ValidationRule.class);
    }

    private static ValidationRule[] rules(BeanPropertyDefinition property) {
        if (property.getField() != null) {
            ValidationRule[] rules =
                    property.getField().getAnnotated().getAnnotationsByType(ValidationRule.class);
            if (rules.length > 0) {
                return rules;
            }
        }
        return property.getGetter() == null
                ? new ValidationRule[0]
                : property.getGetter().getAnnotated().getAnnotationsByType(ValidationRule.class);
    }

    private static <A extends Annotation> A annotation(
            BeanPropertyDefinition property, Class<A> type) {
        if (property.getField() != null && property.getField().hasAnnotation(type)) {
            return property.getField().getAnnotation(type);
        }
        return property.getGetter() == null ? null : property.getGetter().getAnnotation(type);
    }
}
