package dev.sharpness.trainer.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.manifest.TrainingIdentity;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.trainer.checkpoint.Checkpoint;
import dev.sharpness.trainer.checkpoint.CheckpointException;
import dev.sharpness.trainer.checkpoint.CheckpointStore;
import dev.sharpness.trainer.report.RunOutputs;
import dev.sharpness.trainer.training.TrainingRun;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A run folder held by one process at a time: an OS lock on a file in it, which the kernel releases
 * however the holder ends (a crash or SIGKILL leaves nothing stuck), with the holder's PID written
 * into the file for the message that refuses a second run. Also what a run may do to the folder
 * once it holds it: refuse to start over an earlier run unless asked to, refuse to resume
 * checkpoints of another spec, and write {@code job.yaml}.
 */
final class RunFolder implements AutoCloseable {
    /** The lock `run` holds for the whole run. */
    static final String LOCK = "run.lock";

    /** The lock each worker that `run` starts holds on its own folder until it has ended. */
    static final String WORKER_LOCK = "worker.lock";

    /** The manifest the folder's checkpoints were made with. */
    static final String JOB = "job.yaml";

    private final Path directory;
    private final FileChannel channel;
    private final FileLock lock;

    private RunFolder(Path directory, FileChannel channel, FileLock lock) {
        this.directory = directory;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes {@code directory}'s lock file {@code name}, creating both as needed.
     *
     * @throws InvalidJobException when another process (or another run in this one) holds it
     */
    static RunFolder hold(Path directory, String name) throws IOException {
        Path file = directory.resolve(name);
        FileChannel channel;
        try {
            Files.createDirectories(directory);
            channel =
                    FileChannel.open(
                            file,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
        } catch (FileSystemException e) {
            // The JDK's message is the path alone ("AccessDeniedException: /x"); say what is wrong.
            throw new InvalidJobException(
                    "the run folder "
                            + directory
                            + " cannot be written ("
                            + reason(e)
                            + ": "
                            + e.getFile()
                            + "); expected a writable directory, choose another --out",
                    e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holderOf(channel);
            channel.close();
            throw new InvalidJobException(
                    "the run folder "
                            + directory
                            + " is in use by "
                            + holder
                            + " (lock file "
                            + file
                            + "); wait for that run to end or choose another --out",
                    null);
        }
        channel.truncate(0);
        channel.write(
                ByteBuffer.wrap(
                        (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)),
                0);
        return new RunFolder(directory, channel, lock);
    }

    private static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way";
        }
        return "cannot create or open";
    }

    /** Throws, naming the holder, when some process holds {@code directory}'s lock {@code name}. */
    static void requireFree(Path directory, String name) throws IOException {
        if (Files.exists(directory.resolve(name))) {
            hold(directory, name).close();
        }
    }

    private static String holderOf(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        return pid.isBlank() ? "another process" : "another process, PID " + pid.strip();
    }

    Path directory() {
        return directory;
    }

    /**
     * A fresh run: refuses a folder that holds an earlier run (checkpoints, a best model or a
     * summary) unless {@code overwrite}, and then removes that run's checkpoints, best model and
     * summary, saying so. Call only once the job is validated and its data opened.
     */
    void startFresh(Path checkpoints, boolean overwrite) throws IOException {
        List<Path> earlier = new ArrayList<>(new CheckpointStore(checkpoints, 1).list());
        Path bestModel = directory.resolve("best-model");
        earlier.addAll(new CheckpointStore(bestModel, 1).list());
        Path summary = directory.resolve(RunOutputs.SUMMARY);
        if (Files.exists(summary)) {
            earlier.add(summary);
        }
        if (earlier.isEmpty()) {
            return;
        }
        if (!overwrite) {
            throw new InvalidJobException(
                    directory
                            + " holds an earlier run ("
                            + describe(checkpoints, summary)
                            + "): continue it with --resume, choose another --out, or replace it"
                            + " with --overwrite",
                    null);
        }
        for (Path file : earlier) {
            Files.delete(file);
        }
        System.out.printf(
                "--overwrite: removed the earlier run's %d file(s) (checkpoints, best model,"
                        + " summary) in %s%n",
                earlier.size(), directory);
    }

    private static String describe(Path checkpoints, Path summary) {
        int count = new CheckpointStore(checkpoints, 1).list().size();
        String saved = count + " checkpoint(s) in " + checkpoints;
        return Files.exists(summary) ? "finished; " + saved : "resumable; " + saved;
    }

    /**
     * A resumed run: refuses, before anything is written, when the newest valid checkpoint was made
     * with another training spec (the check the run itself makes when it loads the checkpoint).
     */
    static void requireResumable(SamTrainingJob job, Path checkpoints, Path savedJob) {
        CheckpointStore store = new CheckpointStore(checkpoints, Integer.MAX_VALUE);
        if (store.list().isEmpty()) {
            return;
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Optional<Checkpoint> newest = store.latestValid(manager);
            if (newest.isPresent()) {
                requireSameSpec(job, newest.get(), checkpoints, savedJob, "--resume");
            }
        }
    }

    /**
     * {@code --resume-from}: refuses, before anything is written, a checkpoint that is damaged,
     * holds no training state or was made with another training spec; its step.
     */
    static long requireResumableFrom(SamTrainingJob job, Path file) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Checkpoint checkpoint = CheckpointStore.read(file, manager);
            if (checkpoint.position().length == 0) {
                throw new CheckpointException(
                        "--resume-from: "
                                + file
                                + " holds a model only, no training state to continue from;"
                                + " expected a checkpoint of checkpoints/ or a best-model/ written"
                                + " by this version");
            }
            // checkpoints/step-N.ckpt or best-model/step-N.ckpt: the run folder is one up.
            Path runFolder = file.getParent().getParent();
            requireSameSpec(
                    job, checkpoint, file.getParent(), runFolder.resolve(JOB), "--resume-from");
            return checkpoint.step();
        }
    }

    private static void requireSameSpec(
            SamTrainingJob job, Checkpoint checkpoint, Path where, Path savedJob, String option) {
        String made;
        try {
            made = new ObjectMapper().readTree(checkpoint.position()).path("specHash").asText();
        } catch (IOException e) {
            throw new CheckpointException(
                    "checkpoint position unreadable in " + where + ": " + e.getMessage(), e);
        }
        if (!made.equals(TrainingRun.specHash(job.getSpec()))) {
            throw new CheckpointException(
                    "the checkpoint at step "
                            + checkpoint.step()
                            + " in "
                            + where
                            + " was written by a different training spec"
                            + differences(savedJob, job)
                            + "; use another --out or start without "
                            + option);
        }
    }

    /**
     * The checkpoint file {@code --resume-from} names: {@code path} itself, or the newest
     * checkpoint in a folder ({@code best-model/} holds one).
     *
     * @throws InvalidJobException when there is none
     */
    static Path checkpointFile(Path path) {
        if (Files.isDirectory(path)) {
            List<Path> files = new CheckpointStore(path, 1).list();
            if (files.isEmpty()) {
                throw new InvalidJobException(
                        "--resume-from: "
                                + path
                                + " holds no checkpoint (step-N.ckpt); expected a checkpoint file"
                                + " or a run folder's best-model/",
                        null);
            }
            return files.get(files.size() - 1);
        }
        if (!Files.isRegularFile(path)) {
            throw new InvalidJobException(
                    "--resume-from: no such file "
                            + path
                            + "; expected a checkpoint file (checkpoints/step-N.ckpt) or a run"
                            + " folder's best-model/",
                    null);
        }
        return path;
    }

    /**
     * {@code --resume-from} an older checkpoint: the continued run would write over the checkpoints
     * and best model saved after {@code step}, and a later {@code --resume} would take the newest
     * of two runs' files. Refuses them unless {@code overwrite}, then removes them.
     */
    void dropAfter(long step, Path checkpoints, boolean overwrite) throws IOException {
        List<Path> later = new ArrayList<>();
        for (Path store : List.of(checkpoints, directory.resolve("best-model"))) {
            for (Path file : new CheckpointStore(store, 1).list()) {
                if (stepOf(file) > step) {
                    later.add(file);
                }
            }
        }
        if (later.isEmpty()) {
            return;
        }
        if (!overwrite) {
            long newest = later.stream().mapToLong(RunFolder::stepOf).max().orElse(step);
            throw new InvalidJobException(
                    directory
                            + " holds "
                            + later.size()
                            + " file(s) saved after step "
                            + step
                            + " (checkpoints or the best model, up to step "
                            + newest
                            + "): the continued run would replace them; add --overwrite to"
                            + " remove them, or choose another --out",
                    null);
        }
        for (Path file : later) {
            Files.delete(file);
        }
        System.out.printf(
                "--overwrite: removed %d file(s) saved after step %d in %s%n",
                later.size(), step, directory);
    }

    private static long stepOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring("step-".length(), name.length() - ".ckpt".length()));
    }

    /**
     * What differs between the run's saved {@code job.yaml} (the spec of its last start) and {@code
     * job}: {@code " (spec.optimizer.rho: 0.05 -> 0.1)"}, or nothing when that file is gone or
     * unreadable, or differs only where the hash does not look.
     */
    private static String differences(Path savedJob, SamTrainingJob job) {
        if (!Files.isRegularFile(savedJob)) {
            return "";
        }
        try {
            SamTrainingJob saved = ManifestLoader.load(savedJob, List.of());
            List<String> changed = TrainingIdentity.differences(saved.getSpec(), job.getSpec());
            return changed.isEmpty() ? "" : " (" + String.join(", ", changed) + ")";
        } catch (RuntimeException e) {
            // The detail is a courtesy; the refusal stands without it.
            return "";
        }
    }

    /** Writes {@code job} as the folder's {@code job.yaml}, atomically. */
    Path writeJob(SamTrainingJob job) throws IOException {
        Path target = directory.resolve(JOB);
        Path temporary = directory.resolve(JOB + ".tmp");
        Files.writeString(temporary, ManifestLoader.toYaml(job));
        Files.move(
                temporary,
                target,
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
