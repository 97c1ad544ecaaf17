package dev.sharpness.trainer.inference;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.trainer.checkpoint.Checkpoint;
import dev.sharpness.trainer.checkpoint.CheckpointException;
import dev.sharpness.trainer.checkpoint.CheckpointStore;
import dev.sharpness.trainer.data.DataException;
import dev.sharpness.trainer.data.DatasetLoader;
import dev.sharpness.trainer.data.ImageSet;
import dev.sharpness.trainer.data.TrainingData;
import dev.sharpness.trainer.training.Network;
import dev.sharpness.trainer.training.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A trained network read back from a run folder or one checkpoint file, with the job it was trained
 * by and that job's data: what {@code evaluate}, {@code predict} and {@code export} work on.
 *
 * <p>A run folder gives its best model ({@code best-model/}) when there is one, else its newest
 * valid checkpoint. A checkpoint file is read with the {@code job.yaml} of the run folder it lies
 * in. Every problem with the files is a {@link CheckpointException} naming the file; data that the
 * network cannot take is a {@link DataException} naming {@code spec.dataset}.
 */
public final class TrainedModel implements AutoCloseable {
    private static final String MODEL_PREFIX = "model/";
    private static final String JOB = "job.yaml";

    private final SamTrainingJob job;
    private final Path runDirectory;
    private final Path checkpoint;
    private final long step;
    private final TrainingData data;
    private final NDManager manager;
    private final Network network;

    private TrainedModel(
            SamTrainingJob job,
            Path runDirectory,
            Path checkpoint,
            long step,
            TrainingData data,
            NDManager manager,
            Network network) {
        this.job = job;
        this.runDirectory = runDirectory;
        this.checkpoint = checkpoint;
        this.step = step;
        this.data = data;
        this.manager = manager;
        this.network = network;
    }

    /**
     * Reads the model that {@code source} (a run folder or a checkpoint file) holds.
     *
     * @param overrides {@code --set} overrides of the run's job.yaml, e.g. another dataset path
     */
    public static TrainedModel open(Path source, List<String> overrides) {
        if (!Files.exists(source)) {
            throw new CheckpointException(source + ": no such run folder or checkpoint file");
        }
        Path runDirectory = runDirectoryOf(source);
        SamTrainingJob job = ManifestLoader.load(runDirectory.resolve(JOB), overrides);
        Path file = Files.isDirectory(source) ? checkpointIn(runDirectory, job) : source;
        boolean dataChanged = overrides.stream().anyMatch(o -> o.startsWith("spec.dataset"));
        // Parameters are only read here; PyTorch's grad mode is per thread (see TrainingRun).
        Engine.getInstance();
        JniUtils.setGradMode(false);
        TrainingData data =
                DatasetLoader.load(
                        job.getSpec().getDataset(),
                        runDirectory,
                        job.getSpec().getTraining().getSeed());
        ImageSet shape = data.train();
        NDManager manager = NDManager.newBaseManager();
        try {
            Network network =
                    Network.create(
                            job.getSpec().getModel().getArchitecture(),
                            shape.channels(),
                            shape.height(),
                            shape.classes(),
                            job.getSpec().getTraining().getSeed(),
                            manager);
            long step = load(file, network, manager, dataChanged ? shape : null);
            return new TrainedModel(job, runDirectory, file, step, data, manager, network);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The folder that holds job.yaml: the source itself, or the run folder of a checkpoint. */
    private static Path runDirectoryOf(Path source) {
        Path absolute = source.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            if (!Files.isRegularFile(absolute.resolve(JOB))) {
                throw new CheckpointException(
                        absolute + ": not a run folder (it holds no " + JOB + ")");
            }
            return absolute;
        }
        // best-model/step-N.ckpt or checkpoints/step-N.ckpt: the run folder is one up.
        Path parent = absolute.getParent();
        for (Path dir : new Path[] {parent.getParent(), parent}) {
            if (dir != null && Files.isRegularFile(dir.resolve(JOB))) {
                return dir;
            }
        }
        throw new CheckpointException(
                absolute
                        + ": no "
                        + JOB
                        + " beside it or one folder up; a checkpoint is read with the job of the"
                        + " run folder it lies in");
    }

    /** The best model of a run folder, else its newest valid checkpoint. */
    private static Path checkpointIn(Path runDirectory, SamTrainingJob job) {
        List<Path> best = new CheckpointStore(runDirectory.resolve("best-model"), 1).list();
        if (!best.isEmpty()) {
            return best.get(best.size() - 1);
        }
        CheckpointStore store =
                new CheckpointStore(
                        TrainingRun.checkpointDirectory(job.getSpec(), runDirectory), 1);
        List<Path> files = store.list();
        if (files.isEmpty()) {
            throw new CheckpointException(
                    runDirectory
                            + ": holds no model (best-model/ and "
                            + store.directory().getFileName()
                            + "/ have no checkpoint)");
        }
        return files.get(files.size() - 1);
    }

    /** Copies the checkpoint's model tensors into the network; returns the checkpoint's step. */
    private static long load(Path file, Network network, NDManager parent, ImageSet otherData) {
        try (NDManager scope = parent.newSubManager()) {
            Checkpoint checkpoint = CheckpointStore.read(file, scope);
            Map<String, NDArray> saved = checkpoint.tensors();
            boolean prefixed = saved.keySet().stream().anyMatch(k -> k.startsWith(MODEL_PREFIX));
            TreeSet<String> missing = new TreeSet<>();
            for (Map.Entry<String, NDArray> e : network.tensors().entrySet()) {
                NDArray tensor = saved.get(prefixed ? MODEL_PREFIX + e.getKey() : e.getKey());
                if (tensor == null) {
                    missing.add(e.getKey());
                    continue;
                }
                if (!tensor.getShape().equals(e.getValue().getShape())) {
                    String problem =
                            "tensor %s has shape %s in %s, but %s for this job's model"
                                    .formatted(
                                            e.getKey(),
                                            tensor.getShape(),
                                            file,
                                            e.getValue().getShape());
                    if (otherData != null) {
                        throw new DataException(
                                "spec.dataset",
                                "the data (%dx%dx%d, %d classes) is not of the shape the model was"
                                                .formatted(
                                                        otherData.channels(),
                                                        otherData.height(),
                                                        otherData.width(),
                                                        otherData.classes())
                                        + " trained on: "
                                        + problem);
                    }
                    throw new CheckpointException(file + ": " + problem);
                }
                e.getValue().set(new NDIndex("..."), tensor);
            }
            if (!missing.isEmpty()) {
                throw new CheckpointException(
                        file
                                + ": holds no tensor "
                                + missing.first()
                                + (missing.size() > 1
                                        ? " (and " + (missing.size() - 1) + " more)"
                                        : "")
                                + " of the job's "
                                + "model; is it a checkpoint of this run?");
            }
            return checkpoint.step();
        }
    }

    public SamTrainingJob job() {
        return job;
    }

    /** The run folder whose job.yaml describes the model. */
    public Path runDirectory() {
        return runDirectory;
    }

    /** The checkpoint file the parameters came from. */
    public Path checkpoint() {
        return checkpoint;
    }

    /** The global step the checkpoint was written at. */
    public long step() {
        return step;
    }

    /** The job's data, loaded as training loads it (with the overrides applied). */
    public TrainingData data() {
        return data;
    }

    public Network network() {
        return network;
    }

    /** Channels, height, width of the images the network takes. */
    public int[] inputShape() {
        ImageSet s = data.train();
        return new int[] {s.channels(), s.height(), s.width()};
    }

    public int classes() {
        return data.train().classes();
    }

    /** Class names of the job's dataset format. */
    public List<String> classNames() {
        return ClassNames.of(job.getSpec().getDataset().getFormat(), classes());
    }

    /**
     * Logits, (n, classes) row-major, of {@code n} normalized images in (C, H, W) layout, in
     * inference mode (BatchNorm running statistics).
     */
    public float[] logits(float[] pixels, int n) {
        int[] shape = inputShape();
        try (NDManager scope = manager.newSubManager()) {
            NDArray images = scope.create(pixels, new Shape(n, shape[0], shape[1], shape[2]));
            return network.logits(images, false).toFloatArray();
        }
    }

    @Override
    public void close() {
        network.close();
        manager.close();
    }
}
