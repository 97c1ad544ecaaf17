package dev.sharpness.api.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.Constants;
import org.junit.jupiter.api.Test;

/** The exit codes of DESIGN.md's worker contract and what each means for a retry. */
class ExitCodeTest {

    @Test
    void codesAreTheContracts() {
        assertThat(ExitCode.values())
                .extracting(ExitCode::code)
                .containsExactly(0, 1, 2, 3, 4, 5, 143);
    }

    @Test
    void onlyInvalidConfigurationAndDivergenceAreNeverRetried() {
        assertThat(ExitCode.neverRetried()).containsExactly(2, 4);
        assertThat(ExitCode.PEER_LOST.retryable()).isTrue();
        assertThat(ExitCode.REPLICAS_DISAGREE.retryable()).isTrue();
        assertThat(ExitCode.OK.retryable()).isFalse();
    }

    @Test
    void eachFailureHasTheReasonTheOperatorNamesItBy() {
        assertThat(ExitCode.INVALID.reason()).isEqualTo(Constants.REASON_INVALID_SPEC);
        assertThat(ExitCode.PEER_LOST.reason()).isEqualTo(Constants.REASON_PEER_LOST);
        assertThat(ExitCode.DIVERGED.reason()).isEqualTo(Constants.REASON_DIVERGED);
        assertThat(ExitCode.REPLICAS_DISAGREE.reason())
                .isEqualTo(Constants.REASON_REPLICA_MISMATCH);
        assertThat(ExitCode.TERMINATED.reason()).isEqualTo(Constants.REASON_WORKER_FAILED);
    }

    @Test
    void aCodeOutsideTheContractHasNoMeaning() {
        assertThat(ExitCode.of(3)).contains(ExitCode.PEER_LOST);
        assertThat(ExitCode.of(137)).isEmpty();
    }
}
