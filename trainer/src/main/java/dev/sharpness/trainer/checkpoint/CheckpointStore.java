package dev.sharpness.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of checkpoints {@code step-000000001500.ckpt}, newest last.
 *
 * <p>File layout: the magic {@code SAMCKPT1}, the position bytes (length-prefixed), the tensor
 * count, then per tensor its name and DJL encoding (length-prefixed), and a SHA-256 of everything
 * before it as the last 32 bytes. Writes go to a temporary file that is flushed to disk and renamed
 * into place, so a crash leaves either the old set or the new one. Reading verifies the checksum; a
 * corrupt newest checkpoint is reported and the one before it is used.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final byte[] MAGIC = "SAMCKPT1".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST_BYTES = 32;
    private static final Pattern NAME = Pattern.compile("step-(\\d{12})\\.ckpt");

    private final Path directory;
    private final int keep;
    private final FileSink sink;

    public CheckpointStore(Path directory, int keep) {
        this(directory, keep, FileSink.DURABLE);
    }

    /** A store that writes its files through {@code sink}; tests supply one that fails. */
    CheckpointStore(Path directory, int keep, FileSink sink) {
        this.directory = directory;
        this.keep = keep;
        this.sink = sink;
    }

    public Path directory() {
        return directory;
    }

    /** The file that holds the checkpoint of {@code step}. */
    public Path fileOf(long step) {
        return directory.resolve(String.format("step-%012d.ckpt", step));
    }

    /**
     * Writes {@code checkpoint} atomically and deletes all but the newest {@code keep}.
     *
     * @throws CheckpointWriteException when the file cannot be written, with one line that names it
     *     and the cause ("no space left on device"); a partly written file is removed
     */
    public Path write(Checkpoint checkpoint) {
        Path target = fileOf(checkpoint.step());
        Path temporary = directory.resolve(target.getFileName() + ".tmp");
        byte[] bytes = toBytes(checkpoint);
        try {
            Files.createDirectories(directory);
            sink.write(temporary, bytes);
            move(temporary, target);
        } catch (IOException e) {
            // A partial file would only hold on to the space that ran out.
            deleteQuietly(temporary);
            throw new CheckpointWriteException(
                    "cannot write checkpoint " + target + ": " + cause(e), e);
        }
        try {
            prune();
        } catch (IOException e) {
            throw new CheckpointWriteException(
                    "cannot delete old checkpoints in " + directory + ": " + cause(e), e);
        }
        return target;
    }

    /** What went wrong, in the words of the C library where the JDK passes them on. */
    private static String cause(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.contains("No space left on device")) {
            return "no space left on device";
        }
        if (message.contains("Disk quota exceeded")) {
            return "disk quota exceeded";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e instanceof FileSystemException fs && fs.getReason() != null
                ? fs.getReason().toLowerCase(Locale.ROOT)
                : message;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // The write's own failure is the one to report.
        }
    }

    /**
     * The newest checkpoint that reads back intact, its tensors owned by {@code manager}; empty if
     * the directory holds none. Corrupt files are skipped with a warning naming them; if every file
     * is corrupt the run must not silently start over, so that is an error.
     */
    public Optional<Checkpoint> latestValid(NDManager manager) {
        List<Path> files = list();
        List<String> problems = new ArrayList<>();
        for (int i = files.size() - 1; i >= 0; i--) {
            Path file = files.get(i);
            try {
                Checkpoint checkpoint = read(file, manager);
                if (!problems.isEmpty()) {
                    LOG.warn("resuming from older checkpoint {} instead", file);
                }
                return Optional.of(checkpoint);
            } catch (CheckpointException e) {
                LOG.warn("{}", e.getMessage());
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(
                    "no valid checkpoint in "
                            + directory
                            + ":\n  "
                            + String.join("\n  ", problems));
        }
        return Optional.empty();
    }

    /** Checkpoint files, oldest first. */
    public List<Path> list() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + directory, e);
        }
    }

    /** Reads and verifies one checkpoint file. */
    public static Checkpoint read(Path file, NDManager manager) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
        Checkpoint checkpoint = fromBytes(bytes, file.toString(), manager);
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (m.matches() && Long.parseLong(m.group(1)) != checkpoint.step()) {
            throw new CheckpointException(
                    file + ": holds step " + checkpoint.step() + ", not the one in its name");
        }
        return checkpoint;
    }

    /** A checkpoint as its file holds it, digest included: what a rank sends to its peer. */
    public static byte[] toBytes(Checkpoint checkpoint) {
        try {
            byte[] body = encode(checkpoint);
            byte[] bytes = Arrays.copyOf(body, body.length + DIGEST_BYTES);
            System.arraycopy(sha256(body, body.length), 0, bytes, body.length, DIGEST_BYTES);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the checkpoint", e);
        }
    }

    /**
     * Decodes and verifies {@link #toBytes}' output, its tensors owned by {@code manager}.
     *
     * @param origin names where the bytes came from in error messages
     */
    public static Checkpoint fromBytes(byte[] bytes, String origin, NDManager manager) {
        if (bytes.length < MAGIC.length + DIGEST_BYTES
                || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new CheckpointException(origin + ": not a checkpoint (bad header or truncated)");
        }
        int bodyLength = bytes.length - DIGEST_BYTES;
        byte[] expected = Arrays.copyOfRange(bytes, bodyLength, bytes.length);
        if (!MessageDigest.isEqual(expected, sha256(bytes, bodyLength))) {
            throw new CheckpointException(origin + ": corrupt (SHA-256 mismatch)");
        }
        // The digest only says the bytes are the ones written; a writer's bug or a forged file
        // can still hold lengths that do not fit, and each one would be an allocation.
        ByteBuffer in = ByteBuffer.wrap(bytes, MAGIC.length, bodyLength - MAGIC.length);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try {
            long step = field(in, Long.BYTES, origin, "step").getLong();
            byte[] position = new byte[length(in, origin, "position")];
            in.get(position);
            int count = field(in, Integer.BYTES, origin, "tensor count").getInt();
            // Each tensor takes at least its two lengths.
            if (count < 0 || count > in.remaining() / (2 * Integer.BYTES)) {
                throw damaged(origin, "tensor count " + count, in);
            }
            for (int i = 0; i < count; i++) {
                byte[] name = new byte[length(in, origin, "name of tensor " + i)];
                in.get(name);
                String tensor = new String(name, StandardCharsets.UTF_8);
                byte[] encoded = new byte[length(in, origin, "tensor " + tensor)];
                in.get(encoded);
                tensors.put(tensor, decode(manager, encoded, origin, tensor));
            }
            if (in.hasRemaining()) {
                throw new CheckpointException(
                        origin + ": damaged: " + in.remaining() + " bytes after the last tensor");
            }
            return new Checkpoint(step, position, tensors);
        } catch (CheckpointException e) {
            tensors.values().forEach(NDArray::close);
            throw e;
        }
    }

    /** {@code in}, once it is known to hold a field of {@code size} bytes. */
    private static ByteBuffer field(ByteBuffer in, int size, String origin, String what) {
        if (in.remaining() < size) {
            throw damaged(origin, what + " missing", in);
        }
        return in;
    }

    /** A length prefix, checked against the bytes that follow it. */
    private static int length(ByteBuffer in, String origin, String what) {
        int length = field(in, Integer.BYTES, origin, "length of " + what).getInt();
        if (length < 0 || length > in.remaining()) {
            throw damaged(origin, what + " of length " + length, in);
        }
        return length;
    }

    private static CheckpointException damaged(String origin, String what, ByteBuffer in) {
        return new CheckpointException(
                origin + ": damaged: " + what + ", with " + in.remaining() + " bytes left");
    }

    private static NDArray decode(NDManager manager, byte[] encoded, String origin, String name) {
        try {
            return NDArray.decode(manager, encoded);
        } catch (RuntimeException e) {
            throw new CheckpointException(
                    origin + ": damaged: tensor " + name + " does not decode: " + e.getMessage(),
                    e);
        }
    }

    private static byte[] encode(Checkpoint checkpoint) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeLong(checkpoint.step());
        out.writeInt(checkpoint.position().length);
        out.write(checkpoint.position());
        out.writeInt(checkpoint.tensors().size());
        for (Map.Entry<String, NDArray> e : checkpoint.tensors().entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] encoded;
            // A GPU tensor's bytes come to the host in a copy that DJL attaches to the tensor's
            // own manager, which for model and optimizer state lives as long as the run: a
            // scope of the write's own frees it (the tensor goes back to its manager).
            try (NDManager scope = NDManager.subManagerOf(e.getValue())) {
                scope.tempAttachAll(e.getValue());
                encoded = e.getValue().encode();
            }
            out.writeInt(name.length);
            out.write(name);
            out.writeInt(encoded.length);
            out.write(encoded);
        }
        out.flush();
        return bytes.toByteArray();
    }

    private void prune() throws IOException {
        List<Path> files = list();
        for (int i = 0; i < files.size() - keep; i++) {
            Files.deleteIfExists(files.get(i));
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static byte[] sha256(byte[] bytes, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, 0, length);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
