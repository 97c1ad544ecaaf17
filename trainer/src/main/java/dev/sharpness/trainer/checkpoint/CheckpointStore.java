package dev.sharpness.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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

    public CheckpointStore(Path directory, int keep) {
        this.directory = directory;
        this.keep = keep;
    }

    public Path directory() {
        return directory;
    }

    /** The file that holds the checkpoint of {@code step}. */
    public Path fileOf(long step) {
        return directory.resolve(String.format("step-%012d.ckpt", step));
    }

    /** Writes {@code checkpoint} atomically and deletes all but the newest {@code keep}. */
    public Path write(Checkpoint checkpoint) {
        Path target = fileOf(checkpoint.step());
        Path temporary = directory.resolve(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(directory);
            byte[] bytes = toBytes(checkpoint);
            try (FileChannel channel =
                    FileChannel.open(
                            temporary,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING,
                            StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            move(temporary, target);
            prune();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
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
        ByteBuffer in = ByteBuffer.wrap(bytes, MAGIC.length, bodyLength - MAGIC.length);
        long step = in.getLong();
        byte[] position = new byte[in.getInt()];
        in.get(position);
        int count = in.getInt();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[in.getInt()];
            in.get(name);
            byte[] encoded = new byte[in.getInt()];
            in.get(encoded);
            tensors.put(new String(name, StandardCharsets.UTF_8), NDArray.decode(manager, encoded));
        }
        return new Checkpoint(step, position, tensors);
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
            byte[] encoded = e.getValue().encode();
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
