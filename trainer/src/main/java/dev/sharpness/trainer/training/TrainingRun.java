package dev.sharpness.trainer.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.api.manifest.TrainingIdentity;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.trainer.checkpoint.CheckpointStore;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.data.BatchAssembler;
import dev.sharpness.trainer.data.BatchPlan;
import dev.sharpness.trainer.data.DatasetLoader;
import dev.sharpness.trainer.data.ImageSet;
import dev.sharpness.trainer.data.TrainingData;
import dev.sharpness.trainer.exchange.PeerDivergedException;
import dev.sharpness.trainer.optim.Batches;
import dev.sharpness.trainer.optim.TrainingMethod;
import dev.sharpness.trainer.training.listener.ProgressListener;
import dev.sharpness.trainer.training.listener.StepLog;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Trains one job to the end in this process: sets up the data, the model, the method and the
 * workers (alone, or one rank of a SAMPa pair), resumes, runs the {@link TrainingLoop}, and sums
 * the run up.
 *
 * <p>Exactness: the data order is a function of (seed, epoch), augmentation of (seed, epoch, step,
 * sample), and nothing else draws random numbers after initialization, so a run resumed from a
 * checkpoint computes exactly what the uninterrupted run computes.
 */
public final class TrainingRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SamTrainingJob job;
    private final SamTrainingJobSpec spec;
    private final Path manifestDirectory;
    private final CheckpointStore checkpoints;
    private final CheckpointStore bestModel;
    private final Path stepLog;
    private final boolean resume;
    private final ProgressListener progress;
    private PairRole pair;
    private StopRequest stop = new StopRequest();
    private TrainingData loaded;
    private MethodWrapper wrapper = MethodWrapper.NONE;
    private Path resumeFrom;

    /**
     * @param manifestDirectory relative dataset paths are resolved against it
     * @param outDirectory the run folder: checkpoints (unless the spec names a path), the best
     *     model and steps.csv go there
     * @param resume continue from the newest valid checkpoint, if there is one
     */
    public TrainingRun(
            SamTrainingJob job,
            Path manifestDirectory,
            Path outDirectory,
            boolean resume,
            ProgressListener progress) {
        this.job = job;
        this.spec = job.getSpec();
        this.manifestDirectory = manifestDirectory;
        this.checkpoints =
                new CheckpointStore(
                        checkpointDirectory(spec, outDirectory), spec.getCheckpoint().getKeep());
        this.bestModel = new CheckpointStore(outDirectory.resolve("best-model"), 1);
        this.stepLog = outDirectory.resolve(StepLog.FILE);
        this.resume = resume;
        this.progress = progress;
    }

    /**
     * Runs this process as one rank of a SAMPa pair instead of training alone. Rank 1 writes no
     * checkpoints and no best model: rank 0 owns the run's state, takes rank 1's own state (its
     * BatchNorm statistics) into every checkpoint, and on resume hands the whole state to rank 1.
     */
    public TrainingRun asPair(PairRole role) {
        if (spec.getOptimizer().getMethod() != OptimizerSpec.Method.SAMPA) {
            throw new IllegalArgumentException(
                    "spec.optimizer.method: only SAMPa runs as a pair of workers");
        }
        this.pair = role;
        return this;
    }

    /**
     * Lets another thread ask the run to stop at the next step boundary: rank 0 (or a single
     * worker) then writes a checkpoint and {@link #execute} throws {@link StoppedException}.
     */
    public TrainingRun stoppable(StopRequest request) {
        this.stop = request;
        return this;
    }

    /**
     * Resumes from the checkpoint {@code file} ({@code --resume-from}) instead of the newest one;
     * only a worker that writes state reads it (rank 1 of a pair gets rank 0's).
     */
    public TrainingRun resumingFrom(Path file) {
        this.resumeFrom = file;
        return this;
    }

    /**
     * Trains on data the caller has already loaded from this job's spec (the local {@code run}
     * opens it to validate the job before it changes the run folder), instead of loading it again.
     */
    public TrainingRun withData(TrainingData data) {
        this.loaded = data;
        return this;
    }

    /**
     * Steps the method {@code wrapper} wraps around the one the spec names (tests inject faults).
     */
    public TrainingRun wrappingMethod(MethodWrapper wrapper) {
        this.wrapper = wrapper;
        return this;
    }

    /** The spec's checkpoint path resolved against the run folder, or its checkpoints/ folder. */
    public static Path checkpointDirectory(SamTrainingJobSpec spec, Path outDirectory) {
        return Optional.ofNullable(spec.getCheckpoint().getPath())
                .map(outDirectory::resolve)
                .orElse(outDirectory.resolve("checkpoints"));
    }

    /** The hash of everything that defines the trajectory ({@link TrainingIdentity}). */
    public static String specHash(SamTrainingJobSpec spec) {
        return TrainingIdentity.hash(spec);
    }

    /**
     * Runs to the last epoch or to {@code maxSteps}, whichever comes first.
     *
     * @throws StoppedException when a stop was asked for, after the checkpoint it calls for
     * @throws DivergedException when the loss (this worker's, or its peer's) is no longer finite
     */
    public RunSummary execute() {
        SessionClock clock = new SessionClock();
        // Parameters are updated in place outside autograd. PyTorch's grad mode is per thread and
        // on by default; DJL turns it off only on the thread that first loaded the engine.
        Engine.getInstance();
        JniUtils.setGradMode(false);
        long seed = spec.getTraining().getSeed();
        TrainingData data =
                loaded != null
                        ? loaded
                        : DatasetLoader.load(spec.getDataset(), manifestDirectory, seed);
        ImageSet train = data.train();
        RunPlan plan = RunPlan.of(spec, train.size());
        try (NDManager root = NDManager.newBaseManager();
                Network network =
                        Network.create(
                                spec.getModel().getArchitecture(),
                                train.channels(),
                                train.height(),
                                train.classes(),
                                seed,
                                root);
                WorkerGroup workers =
                        pair == null
                                ? new SingleWorker(spec.getCommunication())
                                : new WorkerPair(pair, plan.lastStep(), progress)) {
            return train(plan, data, network, workers, clock, root);
        } catch (PeerDivergedException e) {
            // The peer's loss went NaN or infinite and it told us: the root cause is the pair's
            // divergence (exit 4, not retried), not the stream it then ended.
            throw new DivergedException(e.getMessage(), e);
        }
    }

    /** Builds the method, resumes or starts, runs the loop, and sums the run up. */
    private RunSummary train(
            RunPlan plan,
            TrainingData data,
            Network network,
            WorkerGroup workers,
            SessionClock clock,
            NDManager root) {
        NetworkObjective objective =
                new NetworkObjective(
                        network, spec.getTraining().getLabelSmoothing(), data.train().classes());
        TrainingMethod<Batch> method =
                wrapper.wrap(
                        workers.method(spec.getOptimizer(), objective, root, plan.firstSharpStep()),
                        network);
        RunCheckpoints saved =
                new RunCheckpoints(
                        checkpoints, bestModel, specHash(spec), network, method, progress);
        RunPosition start = startingPosition(workers, saved, network, plan, root);
        long firstStep = LoopState.stepOf(start, plan.stepsPerEpoch());
        LoopState state = new LoopState(start, MetricWatch.of(spec.getTraining()));
        if (workers.writesState()) {
            saved.alignBestModel(state.watch().best());
        }
        TrainingLoop.End end =
                new TrainingLoop(
                                plan,
                                method,
                                batches(data.train(), plan),
                                workers,
                                saved,
                                new Evaluator(network, data, root),
                                state,
                                clock,
                                stop,
                                workers.writesState()
                                        ? ProgressListener.all(
                                                List.of(progress, new StepLog(stepLog)))
                                        : progress,
                                root)
                        .fit(firstStep);
        return summary(network, workers, state, end, clock);
    }

    /**
     * Where training starts: the checkpoint {@link #resumingFrom} names, or with {@code --resume}
     * the newest checkpoint (which rank 0 of a pair hands to rank 1 as the pair forms, and rank 1
     * starts from), else step 0.
     */
    private RunPosition startingPosition(
            WorkerGroup workers,
            RunCheckpoints saved,
            Network network,
            RunPlan plan,
            NDManager root) {
        int steps = plan.stepsPerEpoch();
        Optional<RunPosition> restored = Optional.empty();
        if (workers.writesState() && resumeFrom != null) {
            restored = Optional.of(saved.restoreFrom(resumeFrom, root));
        } else if (workers.writesState() && resume) {
            restored = saved.restoreLatest(root);
        }
        Optional<RunPosition> resumed = restored;
        byte[] handed =
                workers.join(
                        network,
                        () ->
                                resumed.map(p -> saved.encode(p, LoopState.stepOf(p, steps)))
                                        .orElse(new byte[0]));
        if (handed.length > 0) {
            return saved.restoreHanded(handed, root);
        }
        return resumed.orElseGet(() -> LoopState.start(specHash(spec)));
    }

    /** Step t's batch: its samples as the plan orders them, augmented by (seed, epoch, step). */
    private Batches<Batch> batches(ImageSet train, RunPlan plan) {
        BatchAssembler assembler =
                new BatchAssembler(
                        train,
                        BatchAssembler.augmentationOn(spec.getDataset()),
                        spec.getTraining().getSeed());
        BatchPlan order = plan.batches();
        return (t, owner) -> assembler.assemble(owner, order.indices(t), order.epochOf(t), t);
    }

    private RunSummary summary(
            Network network,
            WorkerGroup workers,
            LoopState state,
            TrainingLoop.End end,
            SessionClock clock) {
        double sessionSeconds = clock.seconds();
        List<EpochMetrics> history = end.history();
        EpochMetrics last = history.isEmpty() ? null : history.get(history.size() - 1);
        return new RunSummary(
                job.getMetadata().getName(),
                JSON.convertValue(spec.getOptimizer().getMethod(), String.class),
                spec.getModel().getArchitecture().name().toLowerCase().replace('_', '-'),
                network.parameterCount(),
                workers.size(),
                state.history().size(),
                end.step(),
                end.atMaxSteps(),
                end.earlyStop(),
                state.sequentialGradients(),
                last == null ? Double.NaN : last.trainLoss(),
                last == null ? Double.NaN : last.trainAccuracy(),
                last == null ? null : last.validationAccuracy(),
                last == null ? Double.NaN : last.testAccuracy(),
                state.bestValidationAccuracy(),
                // 1-based, as metrics.csv and the summary table count epochs.
                state.bestEpoch() == null ? null : state.bestEpoch() + 1,
                state.previousWallSeconds() + sessionSeconds,
                clock.stepsPerSecond(sessionSeconds),
                clock.meanStepMillis(),
                clock.medianStepMillis(),
                network.checksum(),
                HexFormat.of().formatHex(network.trainableChecksum()),
                workers.exchangeStats(),
                workers.stepPhaseMillis(),
                workers.pace().orElse(null),
                history);
    }
}
