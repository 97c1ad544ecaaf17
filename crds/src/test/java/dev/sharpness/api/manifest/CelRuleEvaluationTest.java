package dev.sharpness.api.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.api.manifest.CelRules.Findings;
import io.fabric8.generator.annotation.ValidationRule;
import org.junit.jupiter.api.Test;

/**
 * The parts of the API server's rule evaluation that the API types do not use today, on a type made
 * for the test: fieldPath, messageExpression, transition rules, rules that cannot be evaluated.
 */
class CelRuleEvaluationTest {

    @ValidationRule(
            value = "self.low <= self.high",
            message = "low must not exceed high",
            fieldPath = ".low")
    @ValidationRule(
            value = "self.low >= 0",
            message = "low must not be negative",
            messageExpression = "'low must not be negative, got ' + string(self.low)")
    @ValidationRule(
            value = "self.high < 100",
            message = "high must be less than 100",
            messageExpression = "self.missing")
    @ValidationRule(value = "self.high == oldSelf.high", message = "high cannot change")
    static class Range {
        private final long low;
        private final long high;

        Range(long low, long high) {
            this.low = low;
            this.high = high;
        }

        public long getLow() {
            return low;
        }

        public long getHigh() {
            return high;
        }
    }

    @ValidationRule(value = "self.absent > 0", message = "absent must be positive")
    static class Reads {
        public long getPresent() {
            return 1;
        }
    }

    @ValidationRule(value = "self.high <", message = "not CEL")
    static class Broken {}

    @Test
    void aValidValueHasNoProblems() {
        assertThat(check(new Range(1, 2), "spec.range").all()).isEmpty();
    }

    @Test
    void failuresAreReportedAtTheRuleAndItsFieldPathWithTheirMessages() {
        assertThat(check(new Range(-1, -5), "spec.range").all())
                .extracting(Problem::toString)
                .containsExactly(
                        "spec.range.low: low must not exceed high",
                        "spec.range: low must not be negative, got -1");
    }

    @Test
    void aMessageExpressionThatFailsFallsBackToTheMessage() {
        assertThat(check(new Range(1, 500), "spec.range").all())
                .extracting(Problem::toString)
                .containsExactly("spec.range: high must be less than 100");
    }

    @Test
    void transitionRulesDoNotApplyToANewObject() {
        // Evaluated, "high cannot change" would fail: there is no oldSelf to compare with.
        assertThat(check(new Range(1, 2), "spec.range").unevaluable()).isEmpty();
    }

    @Test
    void aRuleOnTheResourceItselfHasNoPath() {
        assertThat(check(new Range(-1, 2), "").all())
                .extracting(Problem::path)
                .containsExactly((String) null);
    }

    @Test
    void aRuleThatCannotBeEvaluatedIsReportedOnlyWhenNothingElseWas() {
        Findings alone = check(new Reads(), "spec.reads");
        assertThat(alone.all())
                .singleElement()
                .asString()
                .startsWith("spec.reads: rule self.absent > 0 cannot be evaluated: ")
                .contains("absent");

        Findings beside = check(new Reads(), "spec.reads");
        beside.problems().add(new Problem("spec.reads.absent", "required"));
        assertThat(beside.all())
                .extracting(Problem::toString)
                .containsExactly("spec.reads.absent: required");
    }

    @Test
    void aRuleThatDoesNotCompileIsABugNamingTheRule() {
        assertThatThrownBy(() -> check(new Broken(), "spec"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the CEL expression self.high < does not compile");
    }

    private static Findings check(Object value, String path) {
        Findings findings = new Findings();
        CelRules.check(
                value.getClass().getAnnotationsByType(ValidationRule.class), value, path, findings);
        return findings;
    }
}
