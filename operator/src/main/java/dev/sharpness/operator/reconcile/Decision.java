package dev.sharpness.operator.reconcile;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.FailureStatus;
import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJobStatus;
import dev.sharpness.operator.children.JobNames;
import dev.sharpness.operator.events.JobEvent;
import dev.sharpness.operator.pods.ObservedWorker;
import dev.sharpness.operator.reconcile.Lifecycle.Plan;
import dev.sharpness.operator.reconcile.Lifecycle.PodAction;
import dev.sharpness.operator.status.Times;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One reconcile's decision as {@link Lifecycle} makes it: the {@link Verdict} (phase, reason,
 * message), the pod action, the events, when to look again, and the status fields it moves. The
 * outcomes several branches end in (a restart within {@code maxRestarts}, a failure, a finished
 * job's clean-up) are written here once.
 */
final class Decision {
    private static final int MESSAGE_LIMIT = 1024;

    private final SamTrainingJob job;
    private final SamTrainingJobSpec spec;
    private final SamTrainingJobStatus status;
    private final Instant now;
    private final List<JobEvent> events = new ArrayList<>();
    private PodAction pods = PodAction.NONE;
    private boolean deleteJob;
    private Duration requeue;

    /** Null where the job stays as it was (a backoff, a finished job): conditions unchanged. */
    private Verdict verdict;

    /** The message of a progress deadline being acted on, for the Stalled condition. */
    private String stall;

    Decision(SamTrainingJob job, Instant now) {
        this.job = job;
        this.spec = job.getSpec();
        this.status =
                job.getStatus() == null
                        ? new SamTrainingJobStatus()
                        : Serialization.clone(job.getStatus());
        this.now = now;
    }

    /** The status being decided: a copy of the job's, never the job's own. */
    SamTrainingJobStatus status() {
        return status;
    }

    /** The plan: the status with its conditions derived from the verdict by the table. */
    Plan plan() {
        if (verdict != null) {
            ConditionTable.apply(status, verdict, job.getMetadata().getGeneration(), now);
        }
        return new Plan(status, pods, deleteJob, requeue, List.copyOf(events));
    }

    /** The one place the phase changes; the conditions follow from it in {@link #plan()}. */
    void verdict(Phase phase, String reason, String message, String detail) {
        status.setPhase(phase);
        verdict = new Verdict(phase, reason, message, detail, stall);
    }

    void pods(PodAction action) {
        pods = action;
    }

    void event(boolean warning, String reason, String message) {
        events.add(new JobEvent(warning, reason, message));
    }

    /** Look again after {@code delay} at the latest (a second or more). */
    void requeueAt(Duration delay) {
        Duration positive = delay.isNegative() || delay.isZero() ? Duration.ofSeconds(1) : delay;
        if (requeue == null || positive.compareTo(requeue) < 0) {
            requeue = positive;
        }
    }

    /** No training step for too long: restart (counted) or fail, with Stalled set. */
    void stalled(String message) {
        stall = message;
        lastFailure(null, null, Constants.REASON_PROGRESS_DEADLINE_EXCEEDED, message);
        countedRestartOrFail(Constants.REASON_PROGRESS_DEADLINE_EXCEEDED, message);
    }

    void lastFailure(Integer rank, Integer exitCode, String reason, String message) {
        FailureStatus failure = new FailureStatus();
        failure.setRank(rank);
        failure.setExitCode(exitCode);
        failure.setReason(reason);
        failure.setMessage(truncate(message));
        failure.setTime(Times.format(now));
        failure.setAttempt(status.getExecutionAttempt());
        status.setLastFailure(failure);
    }

    /** A restart that counts toward {@code maxRestarts}, or the failure once they are used up. */
    void countedRestartOrFail(String reason, String message) {
        int limit = spec.getFailurePolicy().getMaxRestarts();
        if (status.getRestartsCountTowardsLimit() >= limit) {
            fail(
                    Constants.REASON_BACKOFF_LIMIT_EXCEEDED,
                    "restarted "
                            + status.getRestartsCountTowardsLimit()
                            + " times (failurePolicy.maxRestarts = "
                            + limit
                            + "); last failure: "
                            + message,
                    List.of());
            pods = PodAction.DELETE;
            return;
        }
        restart(true, reason, message);
    }

    /** Deletes the attempt's pods; the next attempt starts after the backoff. */
    void restart(boolean counted, String reason, String message) {
        status.setRestarts(status.getRestarts() + 1);
        if (counted) {
            status.setRestartsCountTowardsLimit(status.getRestartsCountTowardsLimit() + 1);
        }
        status.setExecutionAttempt(status.getExecutionAttempt() + 1);
        Duration delay =
                FailurePolicy.backoff(spec.getFailurePolicy().getBackoff(), status.getRestarts());
        status.setNextAttemptTime(Times.format(now.plus(delay)));
        status.setAttemptStartTime(null);
        boolean resumes = hasCheckpointVolume(spec);
        verdict(
                Phase.RESTARTING,
                reason,
                message,
                resumes
                        ? "restarting from the last checkpoint"
                        : "restarting from step 0: no checkpoint volume");
        event(
                true,
                reason,
                message
                        + "; restarting "
                        + (JobNames.workers(job) == 2 ? "the pair" : "the worker")
                        + (resumes
                                ? " from the last checkpoint"
                                : " from step 0 (no checkpoint volume)")
                        + " in "
                        + delay.toSeconds()
                        + " s"
                        + (counted ? "" : " (not counted toward maxRestarts)"));
        pods = PodAction.DELETE;
        requeueAt(delay);
    }

    /** Gives up; {@code workers} still there are deleted. */
    void fail(String reason, String message, List<ObservedWorker> workers) {
        status.setCompletionTime(Times.format(now));
        verdict(Phase.FAILED, reason, message, "the job failed");
        event(true, reason, message);
        if (!workers.isEmpty()) {
            pods = PodAction.DELETE;
        }
        finished(workers);
    }

    /**
     * A finished job: a failed one's pods that still run are deleted; after {@code
     * ttlSecondsAfterFinished} the job itself.
     */
    void finished(List<ObservedWorker> workers) {
        if (status.getPhase() == Phase.FAILED && workers.stream().anyMatch(Decision::active)) {
            pods = PodAction.DELETE;
        }
        Integer ttl = spec.getTtlSecondsAfterFinished();
        Instant completed = Times.parse(status.getCompletionTime());
        if (ttl != null && completed != null) {
            Instant expiry = completed.plusSeconds(ttl);
            if (now.isBefore(expiry)) {
                requeueAt(Duration.between(now, expiry));
            } else {
                deleteJob = true;
            }
        }
    }

    private static boolean active(ObservedWorker worker) {
        return !worker.succeeded() && !"Failed".equals(worker.phase());
    }

    /**
     * Checkpoints outlive the pods only on a checkpoint volume; without one they live in an
     * emptyDir of rank 0's pod and go with it.
     */
    static boolean hasCheckpointVolume(SamTrainingJobSpec spec) {
        return spec.getCheckpoint().getVolume() != null;
    }

    static String truncate(String message) {
        return message == null || message.length() <= MESSAGE_LIMIT
                ? message
                : message.substring(0, MESSAGE_LIMIT) + "...";
    }
}
