package dev.sharpness.api.worker;

import dev.sharpness.api.v1alpha1.Constants;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A worker's exit codes and what each means for the job: whether running the attempt again can
 * help, and the condition reason the operator names it by. A code not listed here (a signal, 128 +
 * n, other than SIGTERM's 143) is a failure worth a retry.
 */
public enum ExitCode {
    /** Training finished. */
    OK(0, false, null),
    /** Anything unexpected; a retry may succeed (an unwritable checkpoint, for one). */
    UNEXPECTED(1, true, Constants.REASON_WORKER_FAILED),
    /** Invalid configuration or data: the same spec fails the same way again. */
    INVALID(2, false, Constants.REASON_INVALID_SPEC),
    /** The peer was lost or an exchange timed out: the pair starts again. */
    PEER_LOST(3, true, Constants.REASON_PEER_LOST),
    /** Training diverged (NaN or Inf): the same spec diverges again. */
    DIVERGED(4, false, Constants.REASON_DIVERGED),
    /** The replicas of a pair disagree (a checksum mismatch). */
    REPLICAS_DISAGREE(5, true, Constants.REASON_REPLICA_MISMATCH),
    /** Stopped by SIGTERM after a checkpoint (128 + 15, as a shell reports it). */
    TERMINATED(143, true, Constants.REASON_WORKER_FAILED);

    private final int code;
    private final boolean retryable;
    private final String reason;

    ExitCode(int code, boolean retryable, String reason) {
        this.code = code;
        this.retryable = retryable;
        this.reason = reason;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }

    /** A failure that running the attempt again can cure; false for {@link #OK}. */
    public boolean retryable() {
        return retryable;
    }

    /** The condition reason of a job that ended with this code; null for {@link #OK}. */
    public String reason() {
        return reason;
    }

    /** The exit code a worker ended with, if it is one of the contract's. */
    public static Optional<ExitCode> of(int code) {
        return Arrays.stream(values()).filter(c -> c.code == code).findFirst();
    }

    /** The codes of failures that no retry cures: a job fails on them unless its rules say else. */
    public static List<Integer> neverRetried() {
        return Arrays.stream(values())
                .filter(c -> c != OK && !c.retryable)
                .map(ExitCode::code)
                .toList();
    }
}
