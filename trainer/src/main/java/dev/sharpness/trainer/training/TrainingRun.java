package dev.sharpness.trainer.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.api.manifest.TrainingIdentity;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.trainer.checkpoint.Checkpoint;
import dev.sharpness.trainer.checkpoint.CheckpointException;
import dev.sharpness.trainer.checkpoint.CheckpointStore;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.data.BatchAssembler;
import dev.sharpness.trainer.data.BatchPlan;
import dev.sharpness.trainer.data.DatasetLoader;
import dev.sharpness.trainer.data.ImageSet;
import dev.sharpness.trainer.data.TrainingData;
import dev.sharpness.trainer.exchange.Layout;
import dev.sharpness.trainer.exchange.PairExchange;
import dev.sharpness.trainer.exchange.PeerDivergedException;
import dev.sharpness.trainer.exchange.StepIntent;
import dev.sharpness.trainer.optim.Batches;
import dev.sharpness.trainer.optim.LearningRateSchedule;
import dev.sharpness.trainer.optim.Optimizers;
import dev.sharpness.trainer.optim.SampaWorker;
import dev.sharpness.trainer.optim.StepResult;
import dev.sharpness.trainer.optim.TrainingMethod;
import dev.sharpness.trainer.timing.RecentDurations;
import dev.sharpness.trainer.training.listener.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one job to the end in this process: data, model, method, the step loop, evaluation after
 * every epoch, checkpoints, and resume.
 *
 * <p>Exactness: the data order is a function of (seed, epoch), augmentation of (seed, epoch, step,
 * sample), and nothing else draws random numbers after initialization, so a run resumed from a
 * checkpoint computes exactly what the uninterrupted run computes.
 */
public final class TrainingRun {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_PREFIX = "model/";
    private static final String METHOD_PREFIX = "method/";

    private final SamTrainingJob job;
    private final SamTrainingJobSpec spec;
    private final Path manifestDirectory;
    private final CheckpointStore checkpoints;
    private final CheckpointStore bestModel;
    private final boolean resume;
    private final ProgressListener progress;
    private PairRole pair;
    private StopRequest stop = new StopRequest();
    private TrainingData loaded;

    /**
     * @param manifestDirectory relative dataset paths are resolved against it
     * @param outDirectory the run folder: checkpoints (unless the spec names a path) and the
     *     best-validation model go there
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
     * Trains on data the caller has already loaded from this job's spec (the local {@code run}
     * opens it to validate the job before it changes the run folder), instead of loading it again.
     */
    public TrainingRun withData(TrainingData data) {
        this.loaded = data;
        return this;
    }

    /** The spec's checkpoint path resolved against the run folder, or its checkpoints/ folder. */
    public static Path checkpointDirectory(SamTrainingJobSpec spec, Path outDirectory) {
        return Optional.ofNullable(spec.getCheckpoint().getPath())
                .map(outDirectory::resolve)
                .orElse(outDirectory.resolve("checkpoints"));
    }

    /** Runs to the last epoch or to {@code maxSteps}, whichever comes first. */
    public RunSummary execute() {
        long startNanos = System.nanoTime();
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
        int batchSize = spec.getTraining().getBatchSize();
        BatchPlan plan = new BatchPlan(seed, train.size(), batchSize);
        int stepsPerEpoch = plan.stepsPerEpoch();
        int epochs = spec.getTraining().getEpochs();
        long lastStep =
                Math.min(
                        (long) stepsPerEpoch * epochs,
                        Optional.ofNullable(spec.getTraining().getMaxSteps())
                                .orElse(Long.MAX_VALUE));
        LearningRateSchedule schedule =
                new LearningRateSchedule(
                        spec.getOptimizer().getSchedule(),
                        spec.getOptimizer().getBase().getLearningRate(),
                        stepsPerEpoch,
                        epochs);

        try (NDManager root = NDManager.newBaseManager();
                Network network =
                        Network.create(
                                spec.getModel().getArchitecture(),
                                train.channels(),
                                train.height(),
                                train.classes(),
                                seed,
                                root);
                PairLink link = pair == null ? null : new PairLink(pair.rank())) {
            NetworkObjective objective =
                    new NetworkObjective(
                            network, spec.getTraining().getLabelSmoothing(), train.classes());
            TrainingMethod<Batch> method =
                    link == null
                            ? Optimizers.method(spec.getOptimizer(), objective, root)
                            : Optimizers.sampaWorker(
                                    spec.getOptimizer(), objective, root, pair.rank(), link);
            Map<String, NDArray> state = stateTensors(network, method);

            RunPosition position = resume && writesState() ? restore(state, root) : null;
            if (link != null) {
                byte[] handed =
                        position == null
                                ? new byte[0]
                                : CheckpointStore.toBytes(
                                        new Checkpoint(
                                                stepOf(position, stepsPerEpoch),
                                                positionBytes(position),
                                                state));
                link.open(pair.connect().connect(layoutOf(network), handed));
                progress.paired(link.exchange()::stats);
                if (pair.rank() == 1 && link.exchange().resumeState().length > 0) {
                    position = restoreHanded(link.exchange().resumeState(), state, root);
                }
            }
            if (position == null) {
                position =
                        new RunPosition(
                                specHash(spec), 0, 0, 0, 0, 0, 0, 0, null, null, new ArrayList<>());
            }
            Loop loop = new Loop(position, network, data, root);
            long step = stepOf(position, stepsPerEpoch);
            long firstStep = step;
            BatchAssembler assembler =
                    new BatchAssembler(
                            train, BatchAssembler.augmentationOn(spec.getDataset()), seed);
            Batches<Batch> batches =
                    (t, owner) -> assembler.assemble(owner, plan.indices(t), plan.epochOf(t), t);
            long corruptAfter = ReplicaFault.step();
            long divergeAt = DivergenceFault.step();
            progress.started(lastStep, step);

            boolean stoppedAtMaxSteps = false;
            long stepNanos = 0;
            RecentDurations stepTimes = new RecentDurations();
            double learningRate = schedule.at(step);
            while (loop.epoch < epochs) {
                if (step >= lastStep) {
                    stoppedAtMaxSteps = true;
                    break;
                }
                learningRate = schedule.at(step);
                boolean stopAsked = stop.requested();
                boolean checkpointDue =
                        writesState()
                                && (stopAsked
                                        || loop.batchInEpoch + 1 == stepsPerEpoch
                                        || (step + 1) % spec.getCheckpoint().getEverySteps() == 0
                                        || step + 1 == lastStep);
                if (link != null) {
                    link.intend(new StepIntent(checkpointDue, stopAsked));
                }
                StepResult result;
                long stepStart = System.nanoTime();
                try (NDManager scope = root.newSubManager()) {
                    result = method.step(step, batches, learningRate, scope);
                }
                long took = System.nanoTime() - stepStart;
                stepNanos += took;
                stepTimes.add(took);
                double loss = step == divergeAt ? Double.NaN : result.loss();
                if (!Double.isFinite(loss)) {
                    DivergedException diverged = new DivergedException(step, loop.epoch, loss);
                    if (link != null) {
                        // Else the peer only sees the stream end, and reports a lost peer (3).
                        link.exchange().reportDiverged(step, diverged.getMessage());
                    }
                    throw diverged;
                }
                loop.record(result);
                if (step == corruptAfter) {
                    ReplicaFault.corrupt(network);
                }
                step++;
                if (link != null && (step % pair.checksumEverySteps() == 0 || step == lastStep)) {
                    link.exchange().verifyReplicas(step, network.trainableChecksum());
                }
                loop.batchInEpoch++;
                progress.stepped(
                        step,
                        loop.epoch,
                        result.loss(),
                        (double) result.correct() / result.samples(),
                        learningRate,
                        took / 1e9);

                if (loop.batchInEpoch == stepsPerEpoch) {
                    loop.endEpoch(step, learningRate, elapsed(startNanos));
                }
                // Alone, a request that came during the step stops the run now; a pair stops only
                // at a step whose gradients carried the request, so both ranks stop together.
                boolean stopping =
                        link == null ? stop.requested() : stopAsked || link.peer().stop();
                if (link != null && link.stateFollows()) {
                    handOverRankOneState((SampaWorker<Batch>) method, link.exchange(), step, root);
                }
                Path saved = null;
                if (writesState() && (checkpointDue || stopping)) {
                    saved = save(state, loop.position(elapsed(startNanos)), step);
                }
                if (stopping) {
                    LOG.info("stopping after step {} as asked", step);
                    throw new StoppedException(step, saved);
                }
            }

            List<EpochMetrics> history = new ArrayList<>(loop.history);
            if (stoppedAtMaxSteps && loop.epochSamples > 0) {
                // A partial epoch still gets a row: the summary must describe the model it returns.
                history.add(loop.metrics(step, learningRate, elapsed(startNanos)));
            }
            progress.finished();
            double sessionSeconds = (System.nanoTime() - startNanos) / 1e9;
            EpochMetrics last = history.isEmpty() ? null : history.get(history.size() - 1);
            return new RunSummary(
                    job.getMetadata().getName(),
                    methodName(),
                    spec.getModel().getArchitecture().name().toLowerCase().replace('_', '-'),
                    network.parameterCount(),
                    link == null ? 1 : 2,
                    loop.history.size(),
                    step,
                    stoppedAtMaxSteps,
                    loop.sequentialGradients,
                    last == null ? Double.NaN : last.trainLoss(),
                    last == null ? Double.NaN : last.trainAccuracy(),
                    last == null ? null : last.validationAccuracy(),
                    last == null ? Double.NaN : last.testAccuracy(),
                    loop.bestValidationAccuracy,
                    // 1-based, as metrics.csv and the summary table count epochs.
                    loop.bestEpoch == null ? null : loop.bestEpoch + 1,
                    loop.previousWallSeconds + sessionSeconds,
                    (step - firstStep) / Math.max(sessionSeconds, 1e-9),
                    step > firstStep ? stepNanos / 1e6 / (step - firstStep) : Double.NaN,
                    stepTimes.medianMillis(),
                    network.checksum(),
                    link == null ? null : link.exchange().stats(),
                    history);
        } catch (PeerDivergedException e) {
            // The peer's loss went NaN or infinite and it told us: the root cause is the pair's
            // divergence (exit 4, not retried), not the stream it then ended.
            throw new DivergedException(e.getMessage(), e);
        }
    }

    private static Layout layoutOf(Network network) {
        List<long[]> shapes =
                network.trainable().tensors().stream().map(t -> t.getShape().getShape()).toList();
        return new Layout(network.trainableNames(), shapes);
    }

    private static long stepOf(RunPosition position, int stepsPerEpoch) {
        return (long) position.epoch() * stepsPerEpoch + position.batchInEpoch();
    }

    /**
     * After a step that rank 0 checkpoints: rank 1 sends what only it holds, rank 0 keeps it for
     * the checkpoint.
     */
    private void handOverRankOneState(
            SampaWorker<Batch> worker, PairExchange exchange, long step, NDManager root) {
        if (pair.rank() == 1) {
            exchange.sendState(step, worker.ownState());
            return;
        }
        try (NDManager scope = root.newSubManager()) {
            worker.keepPeerState(exchange.receiveState(step), scope);
        }
    }

    /** Rank 1 of a pair leaves checkpoints and the best model to rank 0. */
    private boolean writesState() {
        return pair == null || pair.rank() == 0;
    }

    private String methodName() {
        return JSON.convertValue(spec.getOptimizer().getMethod(), String.class);
    }

    private static double elapsed(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static Map<String, NDArray> stateTensors(Network network, TrainingMethod<?> method) {
        Map<String, NDArray> state = new LinkedHashMap<>();
        network.tensors().forEach((name, t) -> state.put(MODEL_PREFIX + name, t));
        method.stateTensors().forEach((name, t) -> state.put(METHOD_PREFIX + name, t));
        return state;
    }

    private Path save(Map<String, NDArray> state, RunPosition position, long step) {
        Path file = checkpoints.write(new Checkpoint(step, positionBytes(position), state));
        LOG.debug("checkpoint {}", file);
        progress.checkpointed(step, file, System.currentTimeMillis());
        return file;
    }

    private static byte[] positionBytes(RunPosition position) {
        try {
            return JSON.writeValueAsBytes(position);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void saveBestModel(Network network, long step) {
        bestModel.write(new Checkpoint(step, new byte[0], network.tensors()));
    }

    /** Loads the newest valid checkpoint into the live tensors; null when there is none. */
    private RunPosition restore(Map<String, NDArray> state, NDManager root) {
        try (NDManager scope = root.newSubManager()) {
            Optional<Checkpoint> found = checkpoints.latestValid(scope);
            if (found.isEmpty()) {
                LOG.info("no checkpoint in {}: starting from step 0", checkpoints.directory());
                return null;
            }
            Checkpoint checkpoint = found.get();
            RunPosition position = apply(checkpoint, state, "in " + checkpoints.directory());
            Path file = checkpoints.fileOf(checkpoint.step());
            LOG.info("resuming from step {} ({})", checkpoint.step(), file);
            progress.checkpointed(checkpoint.step(), file, modified(file));
            return position;
        }
    }

    /**
     * Rank 1: loads the checkpoint rank 0 handed over in the handshake. Rank 1's own BatchNorm
     * statistics are the method's worker-1 tensors, which come after the model's in {@code state},
     * so they overwrite rank 0's statistics that the model's tensors carry.
     */
    private RunPosition restoreHanded(byte[] handed, Map<String, NDArray> state, NDManager root) {
        try (NDManager scope = root.newSubManager()) {
            Checkpoint checkpoint =
                    CheckpointStore.fromBytes(handed, "rank 0's resume state", scope);
            RunPosition position = apply(checkpoint, state, "from rank 0");
            LOG.info("resuming from step {} with the state rank 0 handed over", checkpoint.step());
            return position;
        }
    }

    /** Overwrites the live tensors with the checkpoint's, after checking it fits this run. */
    private RunPosition apply(Checkpoint checkpoint, Map<String, NDArray> state, String where) {
        RunPosition position;
        try {
            position = JSON.readValue(checkpoint.position(), RunPosition.class);
        } catch (IOException e) {
            throw new CheckpointException("checkpoint position unreadable: " + e.getMessage(), e);
        }
        if (!position.specHash().equals(specHash(spec))) {
            throw new CheckpointException(
                    "the checkpoint at step "
                            + checkpoint.step()
                            + " "
                            + where
                            + " was written by a different training spec; use another --out or"
                            + " start without --resume");
        }
        if (!checkpoint.tensors().keySet().equals(state.keySet())) {
            throw new CheckpointException(
                    "the checkpoint at step "
                            + checkpoint.step()
                            + " holds other tensors than this model and method");
        }
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            NDArray saved = checkpoint.tensors().get(e.getKey());
            if (!saved.getShape().equals(e.getValue().getShape())) {
                throw new CheckpointException(
                        "checkpoint tensor "
                                + e.getKey()
                                + " has shape "
                                + saved.getShape()
                                + ", the model has "
                                + e.getValue().getShape());
            }
            e.getValue().set(new NDIndex("..."), saved);
        }
        return position;
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The hash of everything that defines the trajectory ({@link TrainingIdentity}). */
    public static String specHash(SamTrainingJobSpec spec) {
        return TrainingIdentity.hash(spec);
    }

    /** The loop's mutable bookkeeping, saved as a {@link RunPosition}. */
    private final class Loop {
        final String specHash;
        int epoch;
        int batchInEpoch;
        long sequentialGradients;
        double epochLossSum;
        long epochCorrect;
        long epochSamples;
        final double previousWallSeconds;
        Double bestValidationAccuracy;
        Integer bestEpoch;
        final List<EpochMetrics> history;
        private final Network network;
        private final TrainingData data;
        private final NDManager root;

        Loop(RunPosition p, Network network, TrainingData data, NDManager root) {
            this.network = network;
            this.data = data;
            this.root = root;
            specHash = p.specHash();
            epoch = p.epoch();
            batchInEpoch = p.batchInEpoch();
            sequentialGradients = p.sequentialGradients();
            epochLossSum = p.epochLossSum();
            epochCorrect = p.epochCorrect();
            epochSamples = p.epochSamples();
            previousWallSeconds = p.wallSeconds();
            bestValidationAccuracy = p.bestValidationAccuracy();
            bestEpoch = p.bestEpoch();
            history = new ArrayList<>(p.history());
        }

        void record(StepResult result) {
            sequentialGradients += result.sequentialGradients();
            epochLossSum += result.loss() * result.samples();
            epochCorrect += result.correct();
            epochSamples += result.samples();
        }

        EpochMetrics metrics(long step, double lr, double seconds) {
            Evaluator.Result test = Evaluator.evaluate(network, data.test(), root);
            Evaluator.Result validation =
                    data.validation().size() == 0
                            ? null
                            : Evaluator.evaluate(network, data.validation(), root);
            return new EpochMetrics(
                    epoch,
                    step,
                    lr,
                    epochLossSum / epochSamples,
                    (double) epochCorrect / epochSamples,
                    validation == null ? null : validation.loss(),
                    validation == null ? null : validation.accuracy(),
                    test.loss(),
                    test.accuracy(),
                    sequentialGradients,
                    previousWallSeconds + seconds);
        }

        void endEpoch(long step, double lr, double seconds) {
            EpochMetrics m = metrics(step, lr, seconds);
            history.add(m);
            if (m.validationAccuracy() != null
                    && (bestValidationAccuracy == null
                            || m.validationAccuracy() > bestValidationAccuracy)) {
                bestValidationAccuracy = m.validationAccuracy();
                bestEpoch = epoch;
                if (writesState()) {
                    saveBestModel(network, step);
                }
            }
            progress.epochEnded(m);
            epoch++;
            batchInEpoch = 0;
            epochLossSum = 0;
            epochCorrect = 0;
            epochSamples = 0;
        }

        RunPosition position(double seconds) {
            return new RunPosition(
                    specHash,
                    epoch,
                    batchInEpoch,
                    sequentialGradients,
                    epochLossSum,
                    epochCorrect,
                    epochSamples,
                    previousWallSeconds + seconds,
                    bestValidationAccuracy,
                    bestEpoch,
                    history);
        }
    }
}
