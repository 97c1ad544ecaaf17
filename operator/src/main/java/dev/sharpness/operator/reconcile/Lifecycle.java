package dev.sharpness.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.api.v1alpha1.BackoffSpec;
import dev.sharpness.api.v1alpha1.CheckpointStatus;
import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.FailureStatus;
import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.ProgressStatus;
import dev.sharpness.api.v1alpha1.ResultStatus;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJobStatus;
import dev.sharpness.api.v1alpha1.WorkerStatus;
import dev.sharpness.operator.children.JobNames;
import dev.sharpness.operator.children.TrainerPaths;
import dev.sharpness.operator.events.JobEvent;
import dev.sharpness.operator.pods.ObservedWorker;
import dev.sharpness.operator.progress.ProgressReading;
import dev.sharpness.operator.status.Conditions;
import dev.sharpness.operator.status.Times;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The job's state machine (DESIGN.md "Lifecycle"), as a pure function of the job, its observed
 * pods, the last progress reading and the time. It says what the status becomes, what to do with
 * the pods, what events to record and when to look again; {@link SamTrainingJobReconciler} carries
 * it out. Running it twice on the same observation gives the same plan.
 */
public final class Lifecycle {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MESSAGE_LIMIT = 1024;

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
    private final SamTrainingJobStatus status;
    private final Instant now;
    private final Duration pollInterval;
    private final List<JobEvent> events = new ArrayList<>();
    private PodAction pods = PodAction.NONE;
    private boolean deleteJob;
    private Duration requeue;

    private Lifecycle(SamTrainingJob job, Instant now, Duration pollInterval) {
        this.job = job;
        this.spec = job.getSpec();
        this.status =
                job.getStatus() == null
                        ? new SamTrainingJobStatus()
                        : Serialization.clone(job.getStatus());
        this.now = now;
        this.pollInterval = pollInterval;
    }

    /**
     * @param workers every trainer pod of the job the operator sees, of any attempt
     * @param progress rank 0's last answer, if any
     * @param invalidSpec what only the operator can check and found wrong (a missing claim), if any
     */
    public static Plan plan(
            SamTrainingJob job,
            List<ObservedWorker> workers,
            Optional<ProgressReading> progress,
            Optional<String> invalidSpec,
            Instant now,
            Duration pollInterval) {
        Lifecycle lifecycle = new Lifecycle(job, now, pollInterval);
        lifecycle.decide(workers, progress, invalidSpec);
        return new Plan(
                lifecycle.status,
                lifecycle.pods,
                lifecycle.deleteJob,
                lifecycle.requeue,
                List.copyOf(lifecycle.events));
    }

    private void decide(
            List<ObservedWorker> workers,
            Optional<ProgressReading> progress,
            Optional<String> invalidSpec) {
        status.setObservedGeneration(job.getMetadata().getGeneration());
        if (status.getPhase() == null) {
            status.setPhase(Phase.PENDING);
        }
        if (status.getPhase().isFinished()) {
            status.setWorkers(workerStatuses(currentAttempt(workers)));
            finished(workers);
            return;
        }
        if (spec.isSuspend()) {
            status.setWorkers(workerStatuses(currentAttempt(workers)));
            suspend(workers);
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
        status.setWorkers(workerStatuses(current));
        if (invalidSpec.isPresent()) {
            fail(Constants.REASON_INVALID_SPEC, invalidSpec.get(), workers);
            return;
        }
        if (deadlinePassed()) {
            fail(
                    Constants.REASON_DEADLINE_EXCEEDED,
                    "the job ran longer than activeDeadlineSeconds ("
                            + spec.getActiveDeadlineSeconds()
                            + " s)",
                    workers);
            return;
        }
        if (!earlier.isEmpty()) {
            waitForEarlierAttempt(earlier);
            return;
        }
        if (current.isEmpty()) {
            startAttemptWhenBackoffEnds();
            return;
        }
        observeAttempt(current, progress);
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
        pods = PodAction.DELETE;
        if (status.getPhase() == Phase.PENDING) {
            condition(
                    Constants.CONDITION_PODS_READY,
                    false,
                    Constants.REASON_WAITING,
                    "waiting for "
                            + earlier.size()
                            + (earlier.size() == 1 ? " pod" : " pods")
                            + " of attempt "
                            + earlier.get(0).attempt()
                            + " to stop before attempt "
                            + status.getExecutionAttempt()
                            + " starts");
        }
        requeueAt(Duration.ofSeconds(5));
    }

    private void finished(List<ObservedWorker> workers) {
        if (status.getPhase() == Phase.FAILED && workers.stream().anyMatch(this::active)) {
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

    private void suspend(List<ObservedWorker> workers) {
        if (!workers.isEmpty()) {
            pods = PodAction.DELETE;
        }
        if (status.getPhase() != Phase.SUSPENDED) {
            events.add(
                    new JobEvent(
                            false,
                            Constants.REASON_SUSPENDED,
                            "suspended: pods deleted; " + checkpointFate()));
        }
        status.setPhase(Phase.SUSPENDED);
        status.setAttemptStartTime(null);
        status.setNextAttemptTime(null);
        condition(
                Constants.CONDITION_SUSPENDED,
                true,
                Constants.REASON_SUSPENDED,
                "spec.suspend is true; " + checkpointFate());
        condition(Constants.CONDITION_PODS_READY, false, Constants.REASON_SUSPENDED, "suspended");
    }

    private void resume() {
        events.add(
                new JobEvent(
                        false,
                        Constants.REASON_RESUMED,
                        hasCheckpointVolume()
                                ? "resumed from the last checkpoint"
                                : "resumed from step 0: the job has no checkpoint volume"
                                        + " (spec.checkpoint.volume)"));
        condition(
                Constants.CONDITION_SUSPENDED,
                false,
                Constants.REASON_RESUMED,
                "spec.suspend is false");
        status.setPhase(Phase.PENDING);
        // A new attempt: its pods carry a new label and its ranks a new SAM_ATTEMPT.
        status.setExecutionAttempt(status.getExecutionAttempt() + 1);
    }

    /**
     * Checkpoints outlive the pods only on a checkpoint volume; without one they live in an
     * emptyDir of rank 0's pod and go with it.
     */
    private boolean hasCheckpointVolume() {
        return spec.getCheckpoint().getVolume() != null;
    }

    /** What happens to the checkpoints when the pods go, as events and conditions say it. */
    private String checkpointFate() {
        return hasCheckpointVolume()
                ? "checkpoints are kept on volume "
                        + spec.getCheckpoint().getVolume().getClaimName()
                        + " and training resumes from the last one"
                : "the job has no checkpoint volume (spec.checkpoint.volume), so its checkpoints"
                        + " are lost with the pods and training starts again from step 0";
    }

    private boolean deadlinePassed() {
        Long limit = spec.getActiveDeadlineSeconds();
        Instant start = Times.parse(status.getStartTime());
        return limit != null && start != null && !now.isBefore(start.plusSeconds(limit));
    }

    private void startAttemptWhenBackoffEnds() {
        Instant next = Times.parse(status.getNextAttemptTime());
        if (next != null && now.isBefore(next)) {
            requeueAt(Duration.between(now, next));
            return;
        }
        pods = PodAction.CREATE;
        if (status.getStartTime() == null) {
            status.setStartTime(Times.format(now));
        }
        status.setAttemptStartTime(Times.format(now));
        status.setNextAttemptTime(null);
        status.setPhase(Phase.STARTING);
        int workers = JobNames.workers(job);
        condition(
                Constants.CONDITION_PODS_READY,
                false,
                Constants.REASON_WAITING,
                "waiting for " + workers + (workers == 1 ? " pod" : " pods") + " to run");
        events.add(
                new JobEvent(
                        false,
                        "Starting",
                        "created "
                                + workers
                                + (workers == 1 ? " pod" : " pods")
                                + " for attempt "
                                + status.getExecutionAttempt()));
        requeueAt(Duration.ofSeconds(spec.getScheduling().getStartupDeadlineSeconds()));
    }

    private void observeAttempt(List<ObservedWorker> current, Optional<ProgressReading> progress) {
        int expected = JobNames.workers(job);
        // Someone else deleted a pod of this attempt (the operator only deletes pods of an attempt
        // it has left). Its trainer's exit on SIGTERM is a consequence, not a failure; a pod taken
        // away by preemption or a drain carries DisruptionTarget and is a failure below.
        Optional<ObservedWorker> deleted =
                current.stream().filter(w -> w.terminating() && !w.disrupted()).findFirst();
        if (deleted.isPresent() || current.size() < expected) {
            String message =
                    deleted.map(w -> "pod " + w.pod() + " is being deleted")
                            .orElse("a worker pod was deleted");
            lastFailure(
                    deleted.map(ObservedWorker::rank).orElse(null),
                    null,
                    Constants.REASON_POD_DELETED,
                    message);
            restart(false, Constants.REASON_POD_DELETED, message);
            return;
        }
        Optional<ObservedWorker> firstFailure =
                current.stream()
                        .filter(ObservedWorker::failed)
                        .min(
                                Comparator.comparing(
                                                ObservedWorker::finishedAt,
                                                Comparator.nullsLast(Comparator.naturalOrder()))
                                        // finishedAt has whole seconds: when both ranks ended in
                                        // the same one, the rank that lost its peer (exit 3) is
                                        // the consequence, not the cause.
                                        .thenComparing(ObservedWorker::lostItsPeer)
                                        .thenComparingInt(ObservedWorker::rank));
        if (firstFailure.isPresent()) {
            onFailure(firstFailure.get());
            return;
        }
        if (current.stream().allMatch(ObservedWorker::succeeded)) {
            succeed(current.get(0));
            return;
        }
        if (current.stream().allMatch(w -> w.running() || w.succeeded())) {
            running(progress);
            return;
        }
        Instant started = Times.parse(status.getAttemptStartTime());
        if (started == null) {
            started = now;
            status.setAttemptStartTime(Times.format(now));
        }
        Instant deadline = started.plusSeconds(spec.getScheduling().getStartupDeadlineSeconds());
        if (!now.isBefore(deadline)) {
            String message =
                    "not all "
                            + expected
                            + " pods were running within "
                            + spec.getScheduling().getStartupDeadlineSeconds()
                            + " s; deleted them to free their resources";
            lastFailure(null, null, Constants.REASON_STARTUP_TIMEOUT, message);
            restart(false, Constants.REASON_STARTUP_TIMEOUT, message);
            return;
        }
        status.setPhase(Phase.STARTING);
        requeueAt(Duration.between(now, deadline));
    }

    private void running(Optional<ProgressReading> progress) {
        if (status.getPhase() != Phase.RUNNING) {
            events.add(new JobEvent(false, "Running", "all workers running"));
        }
        status.setPhase(Phase.RUNNING);
        condition(
                Constants.CONDITION_PODS_READY,
                true,
                Constants.REASON_ALL_RUNNING,
                "all workers running");
        if (Conditions.isTrue(status.getConditions(), Constants.CONDITION_RESTARTING)) {
            condition(
                    Constants.CONDITION_RESTARTING,
                    false,
                    Constants.REASON_ALL_RUNNING,
                    "attempt " + status.getExecutionAttempt() + " running");
        }
        progress.filter(p -> p.attempt() == status.getExecutionAttempt())
                .ifPresent(this::recordProgress);

        Instant runningSince =
                Times.parse(
                        Conditions.find(status.getConditions(), Constants.CONDITION_PODS_READY)
                                .get()
                                .getLastTransitionTime());
        Instant lastMove =
                status.getProgress() == null
                        ? null
                        : Times.parse(status.getProgress().getLastStepChangeTime());
        Instant since =
                lastMove != null && lastMove.isAfter(runningSince) ? lastMove : runningSince;
        Instant stallAt = since.plusSeconds(spec.getProgressDeadlineSeconds());
        if (!now.isBefore(stallAt)) {
            String message =
                    "no training step for "
                            + spec.getProgressDeadlineSeconds()
                            + " s (progressDeadlineSeconds)";
            condition(
                    Constants.CONDITION_STALLED,
                    true,
                    Constants.REASON_PROGRESS_DEADLINE_EXCEEDED,
                    message);
            lastFailure(null, null, Constants.REASON_PROGRESS_DEADLINE_EXCEEDED, message);
            countedRestartOrFail(Constants.REASON_PROGRESS_DEADLINE_EXCEEDED, message);
            return;
        }
        if (Conditions.isTrue(status.getConditions(), Constants.CONDITION_STALLED)) {
            condition(
                    Constants.CONDITION_STALLED,
                    false,
                    Constants.REASON_PROGRESSING,
                    "training steps are advancing");
        }
        requeueAt(pollInterval);
        requeueAt(Duration.between(now, stallAt));
        activeDeadline().ifPresent(this::requeueAt);
    }

    private void recordProgress(ProgressReading reading) {
        ProgressStatus previous = status.getProgress();
        ProgressStatus p = new ProgressStatus();
        p.setEpoch(reading.epoch());
        p.setEpochs(spec.getTraining().getEpochs());
        p.setStep(reading.step());
        p.setTotalSteps(reading.totalSteps());
        if (reading.totalSteps() > 0) {
            p.setPercent((int) Math.min(100, reading.step() * 100 / reading.totalSteps()));
        }
        p.setDisplay(ProgressStatus.display(p));
        if (reading.stepsPerSecond() > 0) {
            p.setEtaSeconds(
                    Math.round((reading.totalSteps() - reading.step()) / reading.stepsPerSecond()));
        }
        p.setTrainLoss(reading.trainLoss());
        p.setTrainAccuracy(reading.trainAccuracy());
        p.setValidationAccuracy(reading.validationAccuracy());
        p.setTestAccuracy(reading.testAccuracy());
        p.setStepsPerSecond(reading.stepsPerSecond());
        p.setExchangeMillis(reading.exchangeMillis());
        p.setUpdateTime(Times.format(reading.readAt()));
        boolean moved =
                previous == null || !Long.valueOf(reading.step()).equals(previous.getStep());
        p.setLastStepChangeTime(
                moved ? Times.format(reading.readAt()) : previous.getLastStepChangeTime());
        status.setProgress(p);

        if (reading.lastCheckpointStep() > 0
                && (status.getLastCheckpoint() == null
                        || status.getLastCheckpoint().getStep() != reading.lastCheckpointStep())) {
            CheckpointStatus checkpoint = new CheckpointStatus();
            checkpoint.setStep(reading.lastCheckpointStep());
            checkpoint.setPath(
                    reading.lastCheckpointPath().isEmpty()
                            ? TrainerPaths.checkpointFolder(job)
                            : reading.lastCheckpointPath());
            checkpoint.setTime(
                    Times.format(
                            reading.lastCheckpointTime() != null
                                    ? reading.lastCheckpointTime()
                                    : reading.readAt()));
            status.setLastCheckpoint(checkpoint);
        }
    }

    private void onFailure(ObservedWorker failed) {
        FailurePolicy.Decision decision = FailurePolicy.decide(spec.getFailurePolicy(), failed);
        String message =
                "rank "
                        + failed.rank()
                        + (failed.exitCode() != null
                                ? " exited with code " + failed.exitCode()
                                : " failed")
                        + (failed.reason() != null ? " (" + failed.reason() + ")" : "")
                        + (failed.message() != null && !failed.message().isBlank()
                                ? ": " + truncate(failed.message().strip())
                                : "");
        lastFailure(failed.rank(), failed.exitCode(), decision.reason(), message);
        switch (decision.action()) {
            case FAIL -> fail(decision.reason(), message, List.of(failed));
            case RESTART -> countedRestartOrFail(decision.reason(), message);
            case RESTART_IGNORING_LIMIT -> restart(false, decision.reason(), message);
        }
        // The survivor of a pair cannot go on alone; delete it too.
        pods = PodAction.DELETE;
    }

    private void countedRestartOrFail(String reason, String message) {
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

    private void restart(boolean counted, String reason, String message) {
        status.setRestarts(status.getRestarts() + 1);
        if (counted) {
            status.setRestartsCountTowardsLimit(status.getRestartsCountTowardsLimit() + 1);
        }
        status.setExecutionAttempt(status.getExecutionAttempt() + 1);
        Duration delay = backoff(spec.getFailurePolicy().getBackoff(), status.getRestarts());
        status.setNextAttemptTime(Times.format(now.plus(delay)));
        status.setAttemptStartTime(null);
        status.setPhase(Phase.RESTARTING);
        condition(Constants.CONDITION_RESTARTING, true, reason, message);
        condition(
                Constants.CONDITION_PODS_READY,
                false,
                reason,
                hasCheckpointVolume()
                        ? "restarting from the last checkpoint"
                        : "restarting from step 0: no checkpoint volume");
        events.add(
                new JobEvent(
                        true,
                        reason,
                        message
                                + "; restarting "
                                + (JobNames.workers(job) == 2 ? "the pair" : "the worker")
                                + (hasCheckpointVolume()
                                        ? " from the last checkpoint"
                                        : " from step 0 (no checkpoint volume)")
                                + " in "
                                + delay.toSeconds()
                                + " s"
                                + (counted ? "" : " (not counted toward maxRestarts)")));
        pods = PodAction.DELETE;
        requeueAt(delay);
    }

    /** initialSeconds, doubled with every restart, capped at maxSeconds. */
    static Duration backoff(BackoffSpec backoff, int restarts) {
        long seconds = backoff.getInitialSeconds();
        for (int i = 1; i < restarts && seconds < backoff.getMaxSeconds(); i++) {
            seconds *= 2;
        }
        return Duration.ofSeconds(Math.min(seconds, backoff.getMaxSeconds()));
    }

    private void fail(String reason, String message, List<ObservedWorker> workers) {
        status.setPhase(Phase.FAILED);
        status.setCompletionTime(Times.format(now));
        condition(Constants.CONDITION_FAILED, true, reason, message);
        condition(Constants.CONDITION_PODS_READY, false, reason, "the job failed");
        if (Conditions.isTrue(status.getConditions(), Constants.CONDITION_RESTARTING)) {
            condition(Constants.CONDITION_RESTARTING, false, reason, "the job failed");
        }
        events.add(new JobEvent(true, reason, message));
        if (!workers.isEmpty()) {
            pods = PodAction.DELETE;
        }
        finished(workers);
    }

    private void succeed(ObservedWorker rank0) {
        status.setPhase(Phase.SUCCEEDED);
        status.setCompletionTime(Times.format(now));
        ResultStatus result = result(rank0.message());
        status.setResult(result);
        if (status.getProgress() == null) {
            status.setProgress(new ProgressStatus());
        }
        ProgressStatus progress = status.getProgress();
        progress.setPercent(100);
        progress.setEtaSeconds(0L);
        if (result != null) {
            progress.setStep(result.getSteps());
            progress.setTestAccuracy(result.getTestAccuracy());
            progress.setValidationAccuracy(result.getValidationAccuracy());
        }
        progress.setDisplay(ProgressStatus.display(progress));
        String message =
                result == null || result.getTestAccuracy() == null
                        ? "training finished"
                        : String.format(
                                java.util.Locale.ROOT,
                                "training finished: test accuracy %.4f after %d steps",
                                result.getTestAccuracy(),
                                result.getSteps());
        condition(Constants.CONDITION_COMPLETE, true, Constants.REASON_TRAINING_FINISHED, message);
        condition(
                Constants.CONDITION_PODS_READY,
                false,
                Constants.REASON_TRAINING_FINISHED,
                "workers finished");
        events.add(new JobEvent(false, Constants.REASON_TRAINING_FINISHED, message));
        finished(List.of());
    }

    /** The result from rank 0's termination message (the trainer's summary.json), if readable. */
    static ResultStatus result(String terminationMessage) {
        if (terminationMessage == null || terminationMessage.isBlank()) {
            return null;
        }
        try {
            JsonNode summary = JSON.readTree(terminationMessage);
            ResultStatus result = new ResultStatus();
            result.setTestAccuracy(number(summary, "testAccuracy"));
            result.setValidationAccuracy(number(summary, "validationAccuracy"));
            result.setBestValidationAccuracy(number(summary, "bestValidationAccuracy"));
            result.setTrainLoss(number(summary, "trainLoss"));
            result.setWallSeconds(number(summary, "wallSeconds"));
            result.setSteps(
                    summary.path("steps").isNumber() ? summary.get("steps").asLong() : null);
            result.setEpochs(
                    summary.path("epochs").isNumber() ? summary.get("epochs").asInt() : null);
            result.setBestEpoch(
                    summary.path("bestEpoch").isNumber() ? summary.get("bestEpoch").asInt() : null);
            result.setParameterChecksum(
                    summary.path("parameterChecksum").isTextual()
                            ? summary.get("parameterChecksum").asText()
                            : null);
            return result;
        } catch (Exception e) {
            return null;
        }
    }

    private static Double number(JsonNode summary, String field) {
        return summary.path(field).isNumber() ? summary.get(field).asDouble() : null;
    }

    private Optional<Duration> activeDeadline() {
        Long limit = spec.getActiveDeadlineSeconds();
        Instant start = Times.parse(status.getStartTime());
        if (limit == null || start == null) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, start.plusSeconds(limit)));
    }

    private void lastFailure(Integer rank, Integer exitCode, String reason, String message) {
        FailureStatus failure = new FailureStatus();
        failure.setRank(rank);
        failure.setExitCode(exitCode);
        failure.setReason(reason);
        failure.setMessage(truncate(message));
        failure.setTime(Times.format(now));
        failure.setAttempt(status.getExecutionAttempt());
        status.setLastFailure(failure);
    }

    private List<WorkerStatus> workerStatuses(List<ObservedWorker> workers) {
        return workers.stream().map(this::workerStatus).toList();
    }

    private WorkerStatus workerStatus(ObservedWorker worker) {
        WorkerStatus status = new WorkerStatus();
        status.setRank(worker.rank());
        status.setRole(JobNames.role(job, worker.rank()));
        status.setPod(worker.pod());
        status.setNode(worker.node());
        status.setPhase(worker.phase());
        status.setExitCode(worker.exitCode());
        status.setReason(worker.reason());
        return status;
    }

    private boolean active(ObservedWorker worker) {
        return !worker.succeeded() && !"Failed".equals(worker.phase());
    }

    private void condition(String type, boolean value, String reason, String message) {
        Conditions.set(
                status.getConditions(),
                type,
                value,
                reason,
                message,
                job.getMetadata().getGeneration(),
                now);
    }

    private void requeueAt(Duration delay) {
        Duration positive = delay.isNegative() || delay.isZero() ? Duration.ofSeconds(1) : delay;
        if (requeue == null || positive.compareTo(requeue) < 0) {
            requeue = positive;
        }
    }

    private static String truncate(String message) {
        return message == null || message.length() <= MESSAGE_LIMIT
                ? message
                : message.substring(0, MESSAGE_LIMIT) + "...";
    }
}
