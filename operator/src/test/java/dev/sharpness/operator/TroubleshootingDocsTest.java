package dev.sharpness.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.Constants;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every reason the operator can give for a failure or restart is explained to users. */
class TroubleshootingDocsTest {
    /** Reasons of normal progress: nothing to troubleshoot. */
    private static final Set<String> NORMAL =
            Set.of(
                    Constants.REASON_SUSPENDED,
                    Constants.REASON_RESUMED,
                    Constants.REASON_ALL_RUNNING,
                    Constants.REASON_WAITING,
                    Constants.REASON_TRAINING_FINISHED,
                    Constants.REASON_PROGRESSING);

    @Test
    void everyProblemReasonHasARowInTheTroubleshootingGuideAndTheReadme() throws Exception {
        String guide = Files.readString(Path.of("..", "docs", "troubleshooting.md"));
        String readme = Files.readString(Path.of("..", "README.md"));

        List<String> reasons = problemReasons();
        assertThat(reasons).contains("PeerLost", "StartupTimeout", "BackoffLimitExceeded");
        for (String reason : reasons) {
            assertThat(guide).as("docs/troubleshooting.md").contains("| `" + reason + "`");
            assertThat(readme).as("README.md").contains("| `" + reason + "`");
        }
    }

    private static List<String> problemReasons() throws IllegalAccessException, IOException {
        List<String> reasons = new ArrayList<>();
        for (Field field : Constants.class.getFields()) {
            if (field.getName().startsWith("REASON_") && Modifier.isStatic(field.getModifiers())) {
                String reason = (String) field.get(null);
                if (!NORMAL.contains(reason)) {
                    reasons.add(reason);
                }
            }
        }
        return reasons;
    }
}
