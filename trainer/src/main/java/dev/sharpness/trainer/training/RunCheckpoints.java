package dev.sharpness.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.trainer.checkpoint.Checkpoint;
import dev.sharpness.trainer.checkpoint.CheckpointException;
import dev.sharpness.trainer.checkpoint.CheckpointStore;
import dev.sharpness.trainer.optim.TrainingMethod;
import dev.sharpness.trainer.training.listener.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's state on disk: checkpoints of the live tensors (the model's, then the method's) with the
 * {@link RunPosition} beside them, restoring them in place, and the best model (a checkpoint like
 * the others, so a run can also continue from it).
 */
final class RunCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(RunCheckpoints.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_PREFIX = "model/";
    private static final String METHOD_PREFIX = "method/";

    private final CheckpointStore checkpoints;
    private final CheckpointStore bestModel;
    private final String specHash;
    private final ProgressListener progress;
    private final Map<String, NDArray> state;
    private final Network network;

    RunCheckpoints(
            CheckpointStore checkpoints,
            CheckpointStore bestModel,
            String specHash,
            Network network,
            TrainingMethod<?> method,
            ProgressListener progress) {
        this.checkpoints = checkpoints;
        this.bestModel = bestModel;
        this.specHash = specHash;
        this.network = network;
        this.progress = progress;
        this.state = new LinkedHashMap<>();
        network.tensors().forEach((name, t) -> state.put(MODEL_PREFIX + name, t));
        method.stateTensors().forEach((name, t) -> state.put(METHOD_PREFIX + name, t));
    }

    /** Writes a checkpoint of the live tensors at {@code step}; its file. */
    Path save(RunPosition position, long step) {
        Path file = checkpoints.write(new Checkpoint(step, positionBytes(position), state));
        LOG.debug("checkpoint {}", file);
        progress.checkpointed(step, file, System.currentTimeMillis());
        return file;
    }

    /** Keeps the live state after {@code step} as the best model. */
    void saveBestModel(RunPosition position, long step) {
        bestModel.write(new Checkpoint(step, positionBytes(position), state));
    }

    /**
     * After a resume, makes {@code best-model/} hold the model of {@code best}, the best evaluation
     * of the history resumed: an earlier session may have kept a model the resumed history does not
     * hold (the partial epoch its {@code maxSteps} ended, or a step after a {@code --resume-from}
     * point). Copies it from the checkpoint of that step while one is kept, else removes it.
     */
    void alignBestModel(EpochMetrics best) {
        List<Path> files = bestModel.list();
        Path wanted = best == null ? null : bestModel.fileOf(best.step());
        if (files.isEmpty() || (wanted != null && files.equals(List.of(wanted)))) {
            return;
        }
        try {
            Path kept = best == null ? null : checkpoints.fileOf(best.step());
            if (kept != null && Files.isRegularFile(kept)) {
                Path temporary = wanted.resolveSibling(wanted.getFileName() + ".tmp");
                Files.copy(kept, temporary, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temporary, wanted, StandardCopyOption.ATOMIC_MOVE);
                LOG.info("best model: {} (from {})", wanted, kept);
            } else {
                LOG.warn(
                        "removing the best model {}: it is not an evaluation of the resumed run,"
                                + " whose best is no longer kept",
                        files);
            }
            for (Path file : files) {
                if (!file.equals(wanted)) {
                    Files.delete(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot update the best model in " + bestModel.directory(), e);
        }
    }

    /** The live state at {@code position} as one checkpoint's bytes, for rank 1 to resume from. */
    byte[] encode(RunPosition position, long step) {
        return CheckpointStore.toBytes(new Checkpoint(step, positionBytes(position), state));
    }

    /** Loads the newest valid checkpoint into the live tensors; empty when there is none. */
    Optional<RunPosition> restoreLatest(NDManager root) {
        try (NDManager scope = root.newSubManager()) {
            Optional<Checkpoint> found = checkpoints.latestValid(scope);
            if (found.isEmpty()) {
                LOG.info("no checkpoint in {}: starting from step 0", checkpoints.directory());
                return Optional.empty();
            }
            Checkpoint checkpoint = found.get();
            RunPosition position = apply(checkpoint, "in " + checkpoints.directory());
            Path file = checkpoints.fileOf(checkpoint.step());
            LOG.info("resuming from step {} ({})", checkpoint.step(), file);
            progress.checkpointed(checkpoint.step(), file, modified(file));
            return Optional.of(position);
        }
    }

    /** Loads the checkpoint {@code file} ({@code --resume-from}) into the live tensors. */
    RunPosition restoreFrom(Path file, NDManager root) {
        try (NDManager scope = root.newSubManager()) {
            Checkpoint checkpoint = CheckpointStore.read(file, scope);
            RunPosition position = apply(checkpoint, "in " + file);
            LOG.info("resuming from step {} ({})", checkpoint.step(), file);
            progress.checkpointed(checkpoint.step(), file, modified(file));
            return position;
        }
    }

    /**
     * Rank 1: loads the checkpoint rank 0 handed over in the handshake. Rank 1's own BatchNorm
     * statistics are the method's worker-1 tensors, which come after the model's in the state, so
     * they overwrite rank 0's statistics that the model's tensors carry.
     */
    RunPosition restoreHanded(byte[] handed, NDManager root) {
        try (NDManager scope = root.newSubManager()) {
            Checkpoint checkpoint =
                    CheckpointStore.fromBytes(handed, "rank 0's resume state", scope);
            RunPosition position = apply(checkpoint, "from rank 0");
            LOG.info("resuming from step {} with the state rank 0 handed over", checkpoint.step());
            return position;
        }
    }

    /** Overwrites the live tensors with the checkpoint's, after checking it fits this run. */
    private RunPosition apply(Checkpoint checkpoint, String where) {
        if (checkpoint.position().length == 0) {
            throw new CheckpointException(
                    "the checkpoint at step "
                            + checkpoint.step()
                            + " "
                            + where
                            + " holds a model only, no training state; expected a checkpoint from"
                            + " checkpoints/ or a best model written by this version");
        }
        RunPosition position;
        try {
            position = JSON.readValue(checkpoint.position(), RunPosition.class);
        } catch (IOException e) {
            throw new CheckpointException("checkpoint position unreadable: " + e.getMessage(), e);
        }
        if (!position.specHash().equals(specHash)) {
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

    private static byte[] positionBytes(RunPosition position) {
        try {
            return JSON.writeValueAsBytes(position);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
