package dev.sharpness.operator.children;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.operator.pods.WorkerPods;
import dev.sharpness.operator.testing.TestJobs;
import dev.sharpness.operator.testing.apiserver.ObjectRules;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every name, label and annotation the operator derives from a job fits Kubernetes' rules for the
 * longest name the CRD admits and for any attempt, so no create is ever refused with 422.
 */
class DerivedNamesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Integer> ATTEMPTS =
            List.of(0, 1, 9, 10, 99, 100, 101, 1000, 123_456, Integer.MAX_VALUE);

    @Test
    void everyObjectOfTheLongestJobNameIsValidForEveryAttempt() {
        SamTrainingJob job = queued(longestName('a'));

        for (int attempt : ATTEMPTS) {
            List<HasMetadata> objects = new ArrayList<>(WorkerPods.desired(job, attempt, "t:1"));
            objects.add(JobConfigMap.desired(job));
            objects.add(ExchangeSecret.desired(job));
            objects.add(PairService.desired(job));
            objects.add(ExchangeNetworkPolicy.desired(job, "sam-system"));
            for (HasMetadata object : objects) {
                assertThat(ObjectRules.problems(resource(object), JSON.valueToTree(object)))
                        .as(
                                "%s %s, attempt %d",
                                object.getKind(), object.getMetadata().getName(), attempt)
                        .isEmpty();
            }
        }
    }

    @Test
    void podGroupsStayDistinctPerJobAndAttemptWhenShortened() {
        SamTrainingJob a = queued(longestName('a'));
        SamTrainingJob b =
                queued(longestName('a').substring(0, Constants.MAX_NAME_LENGTH - 1) + "b");

        Set<String> groups = new HashSet<>();
        for (int attempt : ATTEMPTS) {
            groups.add(JobNames.podGroup(a, attempt));
            groups.add(JobNames.podGroup(b, attempt));
        }

        assertThat(groups).hasSize(2 * ATTEMPTS.size());
        assertThat(JobNames.podGroup(TestJobs.sampa("short"), 12)).isEqualTo("short-12");
    }

    @Test
    void aShortenedPodGroupNeverEndsItsStartWithADash() {
        // The cut falls right after a dash.
        String name = "a".repeat(42) + "-" + "d".repeat(Constants.MAX_NAME_LENGTH - 43);

        String group = JobNames.podGroup(queued(name), 1000);

        assertThat(ObjectRules.labelValue(group)).isEmpty();
        assertThat(group).doesNotContain("--").hasSizeLessThanOrEqualTo(63);
    }

    private static String longestName(char fill) {
        return String.valueOf(fill).repeat(Constants.MAX_NAME_LENGTH);
    }

    private static SamTrainingJob queued(String name) {
        return TestJobs.sampa(
                name,
                "spec.scheduling.queueName=" + "q".repeat(63),
                "spec.worker.template.labels.team=ml-research");
    }

    /** The plural resource an object is stored as, which decides its name's rule. */
    private static String resource(HasMetadata object) {
        String kind = object.getKind().toLowerCase();
        return kind.endsWith("y") ? kind.substring(0, kind.length() - 1) + "ies" : kind + "s";
    }
}
