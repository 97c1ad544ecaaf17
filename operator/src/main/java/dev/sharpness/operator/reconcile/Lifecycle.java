package dev.sharpness.operator.reconcile;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.ProgressStatus;
import dev.sharpness.api.v1alpha1.ResultStatus;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJobStatus;
import dev.sharpness.api.worker.MalformedTerminationMessageException;
import dev.sharpness.operator.children.JobNames;
import dev.sharpness.operator.events.JobEvent;
import dev.sharpness.operator.pods.ObservedWorker;
import dev.sharpness.operator.progress.ProgressReading;
import dev.sharpness.operator.status.Conditions;
import dev.sharpness.operator.status.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The job's state machine (DESIGN.md "Lifecycle"), as a pure function of the job, an {@link
 * Observation} and the time. Each branch ends in one {@link Decision}: a {@link Verdict} (phase,
 * reason, message), what to do with the pods, what events to record and when to look again; the
 * conditions follow from the verdict by {@link ConditionTable}, and {@link
 * SamTrainingJobReconciler} carries the plan out. Running it twice on the same observation gives
 * the same plan.
 */
public final class Lifecycle {
    /** What to do with the job's pods. */
    public enum PodAction {
        NONE,
        /** Create the pods of {@code status.executionAttempt} (and the job's other children). */
        CREATE,
        /** Delete every pod of the job. */
        DELETE
    }

    /**
     * @param requeueAfter when to reconcile again even if nothing changes; null: only on events
     */
    public record Plan(
            SamTrainingJobStatus status,
            PodAction pods,
            boolean deleteJob,
            Duration requeueAfter,
            List<JobEvent> events) {}

    private final SamTrainingJob job;
    private final SamTrainingJobSpec spec;
    private final Instant now;
    private final Duration pollInterval;
    private final Decision decision;
    private final SamTrainingJobStatus status;

    private Lifecycle(SamTrainingJob job, Instant now, Duration pollInterval) {
        this.job = job;
        this.spec = job.getSpec();
        this.now = now;
        this.pollInterval = pollInterval;
        this.decision = new Decision(job, now);
        this.status = decision.status();
    }

    public static Plan plan(
            SamTrainingJob job, Observation observed, Instant now, Duration pollInterval) {
        Lifecycle lifecycle = new Lifecycle(job, now, pollInterval);
        lifecycle.decide(observed);
        return lifecycle.decision.plan();
    }

    private void decide(Observation observed) {
        status.setObservedGeneration(job.getMetadata().getGeneration());
        if (status.getPhase() == null) {
            status.setPhase(Phase.PENDING);
        }
        List<ObservedWorker> workers = observed.workers();
        if (status.getPhase().isFinished() || spec.isSuspend()) {
            status.setWorkers(WorkerReports.workers(job, currentAttempt(workers)));
            if (status.getPhase().isFinished()) {
                decision.finished(workers);
            } else {
                suspend(workers);
            }
            return;
        }
        if (status.getPhase() == Phase.SUSPENDED) {
            resume();
        }
        // Only now is the attempt known: a pod of an earlier attempt (one still stopping after a
        // suspend or a restart) never counts toward this attempt's status, events or failures.
        List<ObservedWorker> current = currentAttempt(workers);
        List<ObservedWorker> earlier =
                workers.stream().filter(w -> w.attempt() != status.getExecutionAttempt()).toList();
        status.setWorkers(WorkerReports.workers(job, current));
        if (activeDeadline().filter(left -> left.isNegative() || left.isZero()).isPresent()) {
            decision.fail(
                    Constants.REASON_DEADLINE_EXCEEDED,
                    "the job ran longer than activeDeadlineSeconds ("
                            + spec.getActiveDeadlineSeconds()
                            + " s)",
                    workers);
        } else if (!earlier.isEmpty()) {
            waitForEarlierAttempt(earlier);
        } else if (current.isEmpty()) {
            startAttemptWhenBackoffEnds(observed.missingClaim());
        } else {
            observeAttempt(current, observed.progress());
        }
    }

    private List<ObservedWorker> currentAttempt(List<ObservedWorker> workers) {
        return workers.stream()
                .filter(w -> w.attempt() == status.getExecutionAttempt())
                .sorted(Comparator.comparingInt(ObservedWorker::rank))
                .toList();
    }

    /**
     * Pods keep their names across attempts: the new pods come only once the old ones are gone. A
     * real kubelet gives them their grace period (rank 0 checkpoints on SIGTERM), so this can take
     * a while; their deletion events bring the next reconcile.
     */
    private void waitForEarlierAttempt(List<ObservedWorker> earlier) {
        decision.pods(PodAction.DELETE);
        if (status.getPhase() == Phase.PENDING) {
            decision.verdict(
                    Phase.PENDING,
                    Constants.REASON_WAITING,
                    "waiting for "
                            + pods(earlier.size())
                            + " of attempt "
                            + earlier.get(0).attempt()
                            + " to stop before attempt "
                            + status.getExecutionAttempt()
                            + " starts",
                    null);
        }
        decision.requeueAt(Duration.ofSeconds(5));
    }

    private void suspend(List<ObservedWorker> workers) {
        if (!workers.isEmpty()) {
            decision.pods(PodAction.DELETE);
        }
        if (status.getPhase() != Phase.SUSPENDED) {
            decision.event(
                    false,
                    Constants.REASON_SUSPENDED,
                    "suspended: pods deleted; " + checkpointFate());
        }
        status.setAttemptStartTime(null);
        status.setNextAttemptTime(null);
        decision.verdict(
                Phase.SUSPENDED,
                Constants.REASON_SUSPENDED,
                "spec.suspend is true; " + checkpointFate(),
                "suspended");
    }

    private void resume() {
        decision.event(
                false,
                Constants.REASON_RESUMED,
                Decision.hasCheckpointVolume(spec)
                        ? "resumed from the last checkpoint"
                        : "resumed from step 0: the job has no checkpoint volume"
                                + " (spec.checkpoint.volume)");
        status.setPhase(Phase.PENDING);
        // A new attempt: its pods carry a new label and its ranks a new SAM_ATTEMPT.
        status.setExecutionAttempt(status.getExecutionAttempt() + 1);
    }

    /** What happens to the checkpoints when the pods go, as events and conditions say it. */
    private String checkpointFate() {
        return Decision.hasCheckpointVolume(spec)
                ? "checkpoints are kept on volume "
                        + spec.getCheckpoint().getVolume().getClaimName()
                        + " and training resumes from the last one"
                : "the job has no checkpoint volume (spec.checkpoint.volume), so its checkpoints"
                        + " are lost with the pods and training starts again from step 0";
    }

    private void startAttemptWhenBackoffEnds(Optional<String> missingClaim) {
        Instant next = Times.parse(status.getNextAttemptTime());
        if (next != null && now.isBefore(next)) {
            decision.requeueAt(Duration.between(now, next));
            return;
        }
        if (missingClaim.isPresent()) {
            decision.fail(Constants.REASON_INVALID_SPEC, missingClaim.get(), List.of());
            return;
        }
        decision.pods(PodAction.CREATE);
        if (status.getStartTime() == null) {
            status.setStartTime(Times.format(now));
        }
        status.setAttemptStartTime(Times.format(now));
        status.setNextAttemptTime(null);
        waitingToRun();
        decision.event(
                false,
                "Starting",
                "created "
                        + pods(JobNames.workers(job))
                        + " for attempt "
                        + status.getExecutionAttempt());
        decision.requeueAt(Duration.ofSeconds(spec.getScheduling().getStartupDeadlineSeconds()));
    }

    private void waitingToRun() {
        decision.verdict(
                Phase.STARTING,
                Constants.REASON_WAITING,
                "waiting for " + pods(JobNames.workers(job)) + " to run",
                null);
    }

    private void observeAttempt(List<ObservedWorker> current, Optional<ProgressReading> progress) {
        // Someone else deleted a pod of this attempt (the operator only deletes pods of an attempt
        // it has left). Its trainer's exit on SIGTERM is a consequence, not a failure; a pod taken
        // away by preemption or a drain carries DisruptionTarget and is a failure below.
        Optional<ObservedWorker> deleted =
                current.stream().filter(w -> w.terminating() && !w.disrupted()).findFirst();
        Optional<ObservedWorker> failed = firstFailure(current);
        if (deleted.isPresent() || current.size() < JobNames.workers(job)) {
            String message =
                    deleted.map(w -> "pod " + w.pod() + " is being deleted")
                            .orElse("a worker pod was deleted");
            Integer rank = deleted.map(ObservedWorker::rank).orElse(null);
            decision.lastFailure(rank, null, Constants.REASON_POD_DELETED, message);
            decision.restart(false, Constants.REASON_POD_DELETED, message);
        } else if (failed.isPresent()) {
            onFailure(failed.get());
        } else if (current.stream().allMatch(ObservedWorker::succeeded)) {
            succeed(current.get(0));
        } else if (current.stream().allMatch(w -> w.running() || w.succeeded())) {
            running(progress);
        } else {
            starting();
        }
    }

    private static Optional<ObservedWorker> firstFailure(List<ObservedWorker> current) {
        return current.stream()
                .filter(ObservedWorker::failed)
                .min(
                        Comparator.comparing(
                                        ObservedWorker::finishedAt,
                                        Comparator.nullsLast(Comparator.naturalOrder()))
                                // finishedAt has whole seconds: when both ranks ended in the same
                                // one, the rank that lost its peer (exit 3) is the consequence,
                                // not the cause.
                                .thenComparing(ObservedWorker::lostItsPeer)
                                .thenComparingInt(ObservedWorker::rank));
    }

    /** Not all pods run yet: wait, up to the startup deadline. */
    private void starting() {
        Instant started = Times.parse(status.getAttemptStartTime());
        if (started == null) {
            started = now;
            status.setAttemptStartTime(Times.format(now));
        }
        int deadlineSeconds = spec.getScheduling().getStartupDeadlineSeconds();
        Instant deadline = started.plusSeconds(deadlineSeconds);
        if (!now.isBefore(deadline)) {
            String message =
                    "not all "
                            + JobNames.workers(job)
                            + " pods were running within "
                            + deadlineSeconds
                            + " s; deleted them to free their resources";
            decision.lastFailure(null, null, Constants.REASON_STARTUP_TIMEOUT, message);
            decision.restart(false, Constants.REASON_STARTUP_TIMEOUT, message);
            return;
        }
        waitingToRun();
        decision.requeueAt(Duration.between(now, deadline));
    }

    private void running(Optional<ProgressReading> progress) {
        if (status.getPhase() != Phase.RUNNING) {
            decision.event(false, "Running", "all workers running");
        }
        Instant runningSince =
                Conditions.find(status.getConditions(), Constants.CONDITION_PODS_READY)
                        .filter(c -> "True".equals(c.getStatus()))
                        .map(c -> Times.parse(c.getLastTransitionTime()))
                        .orElse(Times.parse(Times.format(now)));
        decision.verdict(
                Phase.RUNNING,
                Constants.REASON_ALL_RUNNING,
                "all workers running",
                "attempt " + status.getExecutionAttempt() + " running");
        ProgressStatus before = status.getProgress();
        progress.filter(p -> p.attempt() == status.getExecutionAttempt())
                .ifPresent(reading -> WorkerReports.record(job, status, reading));
        WorkerReports.turnedSwapBound(before, status.getProgress())
                .ifPresent(
                        pace ->
                                decision.event(
                                        true, Constants.REASON_SWAP_OUTLASTS_PASS, pace.warning()));

        ProgressStatus recorded = status.getProgress();
        Instant lastMove = recorded == null ? null : Times.parse(recorded.getLastStepChangeTime());
        Instant since =
                lastMove != null && lastMove.isAfter(runningSince) ? lastMove : runningSince;
        Instant stallAt = since.plusSeconds(spec.getProgressDeadlineSeconds());
        if (!now.isBefore(stallAt)) {
            decision.stalled(
                    "no training step for "
                            + spec.getProgressDeadlineSeconds()
                            + " s (progressDeadlineSeconds)");
            return;
        }
        decision.requeueAt(pollInterval);
        decision.requeueAt(Duration.between(now, stallAt));
        activeDeadline().ifPresent(decision::requeueAt);
    }

    private void onFailure(ObservedWorker failed) {
        FailurePolicy.Decision policy = FailurePolicy.decide(spec.getFailurePolicy(), failed);
        String said = WorkerReports.failureText(failed);
        String message =
                "rank "
                        + failed.rank()
                        + (failed.exitCode() != null
                                ? " exited with code " + failed.exitCode()
                                : " failed")
                        + (failed.reason() != null ? " (" + failed.reason() + ")" : "")
                        + (said != null ? ": " + Decision.truncate(said) : "");
        decision.lastFailure(failed.rank(), failed.exitCode(), policy.reason(), message);
        switch (policy.action()) {
            case FAIL -> decision.fail(policy.reason(), message, List.of(failed));
            case RESTART -> decision.countedRestartOrFail(policy.reason(), message);
            case RESTART_IGNORING_LIMIT -> decision.restart(false, policy.reason(), message);
        }
        // The survivor of a pair cannot go on alone; delete it too.
        decision.pods(PodAction.DELETE);
    }

    private void succeed(ObservedWorker rank0) {
        status.setCompletionTime(Times.format(now));
        String message;
        try {
            ResultStatus result = WorkerReports.result(rank0.message()).orElse(null);
            status.setResult(result);
            WorkerReports.finish(status, result);
            message =
                    result == null || result.getTestAccuracy() == null
                            ? "training finished"
                            : String.format(
                                    Locale.ROOT,
                                    "training finished: test accuracy %.4f after %d steps",
                                    result.getTestAccuracy(),
                                    result.getSteps());
        } catch (MalformedTerminationMessageException e) {
            // The pods succeeded; only the result is unknown, and the status says so.
            status.setResult(null);
            WorkerReports.finish(status, null);
            message =
                    Decision.truncate(
                            "training finished, but rank 0's result is unknown: " + e.getMessage());
        }
        decision.verdict(
                Phase.SUCCEEDED, Constants.REASON_TRAINING_FINISHED, message, "workers finished");
        decision.event(false, Constants.REASON_TRAINING_FINISHED, message);
        decision.finished(List.of());
    }

    private Optional<Duration> activeDeadline() {
        Long limit = spec.getActiveDeadlineSeconds();
        Instant start = Times.parse(status.getStartTime());
        if (limit == null || start == null) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, start.plusSeconds(limit)));
    }

    private static String pods(int count) {
        return count + (count == 1 ? " pod" : " pods");
    }
}
