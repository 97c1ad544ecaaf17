package dev.sharpness.operator.reconcile;

import dev.sharpness.api.v1alpha1.CheckpointStatus;
import dev.sharpness.api.v1alpha1.ProgressStatus;
import dev.sharpness.api.v1alpha1.ResultStatus;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobStatus;
import dev.sharpness.api.v1alpha1.WorkerStatus;
import dev.sharpness.api.worker.MalformedTerminationMessageException;
import dev.sharpness.api.worker.ProgressReport;
import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.api.worker.TerminationMessage;
import dev.sharpness.operator.children.JobNames;
import dev.sharpness.operator.children.TrainerPaths;
import dev.sharpness.operator.pods.ObservedWorker;
import dev.sharpness.operator.progress.ProgressReading;
import dev.sharpness.operator.status.Times;
import java.util.List;
import java.util.Optional;

/**
 * What the workers report, as the job's status says it: their pods ({@code workers[]}), rank 0's
 * progress and checkpoints, the result or error in a termination message.
 */
final class WorkerReports {
    private WorkerReports() {}

    static List<WorkerStatus> workers(SamTrainingJob job, List<ObservedWorker> workers) {
        return workers.stream().map(worker -> worker(job, worker)).toList();
    }

    private static WorkerStatus worker(SamTrainingJob job, ObservedWorker worker) {
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

    /** Records a progress reading: {@code progress}, and {@code lastCheckpoint} when it moved. */
    static void record(SamTrainingJob job, SamTrainingJobStatus status, ProgressReading reading) {
        ProgressReport report = reading.report();
        status.setProgress(
                report.toStatus(
                        status.getProgress(),
                        job.getSpec().getTraining().getEpochs(),
                        reading.readAt()));
        CheckpointStatus last = status.getLastCheckpoint();
        if (report.lastCheckpointStep() > 0
                && (last == null || last.getStep() != report.lastCheckpointStep())) {
            CheckpointStatus checkpoint = new CheckpointStatus();
            checkpoint.setStep(report.lastCheckpointStep());
            checkpoint.setPath(
                    report.lastCheckpointPath().isEmpty()
                            ? TrainerPaths.checkpointFolder(job)
                            : report.lastCheckpointPath());
            checkpoint.setTime(
                    Times.format(
                            report.lastCheckpointTime() != null
                                    ? report.lastCheckpointTime()
                                    : reading.readAt()));
            status.setLastCheckpoint(checkpoint);
        }
    }

    /**
     * The pace of {@code now} if it says the pair's swap outlasts its gradient pass and {@code
     * before} did not (no pace yet, or one that was not swap-bound): the moment to tell the user,
     * once per such turn rather than at every reading.
     */
    static Optional<SwapPace> turnedSwapBound(ProgressStatus before, ProgressStatus now) {
        boolean was = SwapPace.of(before).map(SwapPace::swapOutlastsPass).orElse(false);
        return SwapPace.of(now).filter(pace -> pace.swapOutlastsPass() && !was);
    }

    /**
     * The result in rank 0's termination message: empty when it left none.
     *
     * @throws MalformedTerminationMessageException when the message is not the trainer's
     */
    static Optional<ResultStatus> result(String terminationMessage)
            throws MalformedTerminationMessageException {
        return TerminationMessage.parse(terminationMessage)
                .filter(TerminationMessage.Finished.class::isInstance)
                .map(message -> result((TerminationMessage.Finished) message));
    }

    private static ResultStatus result(TerminationMessage.Finished finished) {
        ResultStatus result = new ResultStatus();
        result.setTestAccuracy(finished.testAccuracy());
        result.setValidationAccuracy(finished.validationAccuracy());
        result.setBestValidationAccuracy(finished.bestValidationAccuracy());
        result.setTrainLoss(finished.trainLoss());
        result.setWallSeconds(finished.wallSeconds());
        result.setSteps(finished.steps());
        result.setEpochs(finished.epochs());
        result.setBestEpoch(finished.bestEpoch());
        result.setParameterChecksum(finished.parameterChecksum());
        return result;
    }

    /** The progress of a finished run: all of it, with the result's step and accuracies. */
    static void finish(SamTrainingJobStatus status, ResultStatus result) {
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
    }

    /**
     * What a failed worker said: the error of the trainer's message, or the text as it is (the
     * kubelet's, or none) when the message is not the trainer's.
     */
    static String failureText(ObservedWorker failed) {
        String text = failed.message();
        try {
            if (TerminationMessage.parse(text).orElse(null)
                    instanceof TerminationMessage.Failed trainer) {
                return trainer.error();
            }
        } catch (MalformedTerminationMessageException notTheTrainers) {
            // Text of someone else's (a kubelet's "OOMKilled" note): shown as it is.
        }
        return text == null || text.isBlank() ? null : text.strip();
    }
}
