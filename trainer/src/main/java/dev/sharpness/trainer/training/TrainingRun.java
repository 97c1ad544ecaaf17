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
import dev.sharpness.trainer.exchange.WirePrecision;
import dev.sharpness.trainer.optim.Batches;
import dev.sharpness.trainer.optim.GradientSwap;
import dev.sharpness.trainer.optim.LearningRateSchedule;
import dev.sharpness.trainer.optim.Optimizers;
import dev.sharpness.trainer.optim.StepResult;
import dev.sharpness.trainer.optim.TrainingMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
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
     * checkpoints and no best model: rank 0 owns the run's state.
     */
    public TrainingRun asPair(PairRole role) {
        if (spec.getOptimizer().getMethod() != OptimizerSpec.Method.SAMPA) {
            throw new IllegalArgumentException(
                    "spec.optimizer.method: only SAMPa runs as a pair of workers");
        }
        if (resume) {
            throw new IllegalArgumentException(
                    "--resume: resuming a pair from a checkpoint is not supported yet; resume with"
                            + " --serial");
        }
        this.pair = role;
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
        TrainingData data = DatasetLoader.load(spec.getDataset(), manifestDirectory, seed);
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
                PairExchange exchange = openPair(network)) {
            NetworkObjective objective =
                    new NetworkObjective(
                            network, spec.getTraining().getLabelSmoothing(), train.classes());
            TrainingMethod<Batch> method =
                    exchange == null
                            ? Optimizers.method(spec.getOptimizer(), objective, root)
                            : Optimizers.sampaWorker(
                                    spec.getOptimizer(),
                                    objective,
                                    root,
                                    pair.rank(),
                                    swapOver(exchange));
            Map<String, NDArray> state = stateTensors(network, method);

            RunPosition position = resume ? restore(state, root) : null;
            if (position == null) {
                position =
                        new RunPosition(
                                specHash(spec), 0, 0, 0, 0, 0, 0, 0, null, null, new ArrayList<>());
            }
            Loop loop = new Loop(position, network, data, root);
            long step = (long) loop.epoch * stepsPerEpoch + loop.batchInEpoch;
            long firstStep = step;
            BatchAssembler assembler =
                    new BatchAssembler(
                            train, BatchAssembler.augmentationOn(spec.getDataset()), seed);
            Batches<Batch> batches =
                    (t, owner) -> assembler.assemble(owner, plan.indices(t), plan.epochOf(t), t);
            progress.started(lastStep, step);

            boolean stoppedAtMaxSteps = false;
            long stepNanos = 0;
            double learningRate = schedule.at(step);
            while (loop.epoch < epochs) {
                if (step >= lastStep) {
                    stoppedAtMaxSteps = true;
                    break;
                }
                learningRate = schedule.at(step);
                StepResult result;
                long stepStart = System.nanoTime();
                try (NDManager scope = root.newSubManager()) {
                    result = method.step(step, batches, learningRate, scope);
                }
                stepNanos += System.nanoTime() - stepStart;
                if (!Double.isFinite(result.loss())) {
                    throw new DivergedException(step, loop.epoch, result.loss());
                }
                loop.record(result);
                step++;
                if (exchange != null
                        && (step % pair.checksumEverySteps() == 0 || step == lastStep)) {
                    exchange.verifyReplicas(step, network.trainableChecksum());
                }
                loop.batchInEpoch++;
                progress.stepped(
                        step,
                        loop.epoch,
                        result.loss(),
                        (double) result.correct() / result.samples(),
                        learningRate);

                boolean epochDone = loop.batchInEpoch == stepsPerEpoch;
                if (epochDone) {
                    loop.endEpoch(step, learningRate, elapsed(startNanos));
                }
                if (writesState()
                        && (epochDone
                                || step % spec.getCheckpoint().getEverySteps() == 0
                                || step == lastStep)) {
                    save(state, loop.position(elapsed(startNanos)), step);
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
                    exchange == null ? 1 : 2,
                    loop.history.size(),
                    step,
                    stoppedAtMaxSteps,
                    loop.sequentialGradients,
                    last == null ? Double.NaN : last.trainLoss(),
                    last == null ? Double.NaN : last.trainAccuracy(),
                    last == null ? null : last.validationAccuracy(),
                    last == null ? Double.NaN : last.testAccuracy(),
                    loop.bestValidationAccuracy,
                    loop.bestEpoch,
                    loop.previousWallSeconds + sessionSeconds,
                    (step - firstStep) / Math.max(sessionSeconds, 1e-9),
                    step > firstStep ? stepNanos / 1e6 / (step - firstStep) : Double.NaN,
                    network.checksum(),
                    exchange == null ? null : exchange.stats(),
                    history);
        }
    }

    /** Forms the pair, if this run is one rank of a pair; null otherwise. */
    private PairExchange openPair(Network network) {
        if (pair == null) {
            return null;
        }
        List<long[]> shapes =
                network.trainable().tensors().stream().map(t -> t.getShape().getShape()).toList();
        return pair.connect().apply(new Layout(network.trainableNames(), shapes));
    }

    /** The exchange as the optimizer sees it. */
    private static GradientSwap swapOver(PairExchange exchange) {
        return new GradientSwap() {
            @Override
            public float[] swap(long step, float[] mine) {
                return exchange.swap(step, mine);
            }

            @Override
            public float[] asSent(float[] mine) {
                return exchange.precision() == WirePrecision.FP32
                        ? mine
                        : exchange.precision().quantize(mine);
            }
        };
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

    private void save(Map<String, NDArray> state, RunPosition position, long step) {
        try {
            byte[] json = JSON.writeValueAsBytes(position);
            Path file = checkpoints.write(new Checkpoint(step, json, state));
            LOG.debug("checkpoint {}", file);
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
                LOG.info(
                        "no checkpoint in {}: starting from the beginning",
                        checkpoints.directory());
                return null;
            }
            Checkpoint checkpoint = found.get();
            RunPosition position = JSON.readValue(checkpoint.position(), RunPosition.class);
            if (!position.specHash().equals(specHash(spec))) {
                throw new CheckpointException(
                        "the checkpoint at step "
                                + checkpoint.step()
                                + " in "
                                + checkpoints.directory()
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
            LOG.info("resuming from step {} ({})", checkpoint.step(), checkpoints.directory());
            return position;
        } catch (IOException e) {
            throw new CheckpointException("checkpoint position unreadable: " + e.getMessage(), e);
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
