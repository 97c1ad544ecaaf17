package dev.sharpness.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checkpoints without tensors: the store's file handling and its checks of a file's fields need no
 * engine (no tensor is decoded before a length field is found false).
 */
class CheckpointStoreTest {
    @TempDir Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFullDiskNamesTheCheckpointInOneLineAndLeavesNoPartialFile() {
        Path checkpoints = dir.resolve("checkpoints");
        new CheckpointStore(checkpoints, 3).write(checkpoint(1));
        CheckpointStore full = new CheckpointStore(checkpoints, 3, diskFullAfter(10));

        assertThatThrownBy(() -> full.write(checkpoint(2)))
                .isInstanceOf(CheckpointWriteException.class)
                .hasMessage(
                        "cannot write checkpoint "
                                + checkpoints.resolve("step-000000000002.ckpt")
                                + ": no space left on device");
        assertThat(names(checkpoints)).containsExactly("step-000000000001.ckpt");
        assertThat(CheckpointStore.read(checkpoints.resolve("step-000000000001.ckpt"), null).step())
                .isEqualTo(1);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void theDevicesOwnNoSpaceLeftIsReportedTheSameWay() throws IOException {
        // Linux's /dev/full fails every write with ENOSPC; the temporary file is pointed at it.
        Path devFull = Path.of("/dev/full");
        assumeTrue(Files.exists(devFull), "needs Linux /dev/full");
        Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
        Files.createSymbolicLink(checkpoints.resolve("step-000000000007.ckpt.tmp"), devFull);

        assertThatThrownBy(() -> new CheckpointStore(checkpoints, 3).write(checkpoint(7)))
                .isInstanceOf(CheckpointWriteException.class)
                .hasMessage(
                        "cannot write checkpoint "
                                + checkpoints.resolve("step-000000000007.ckpt")
                                + ": no space left on device");
        assertThat(names(checkpoints)).isEmpty();
    }

    static Stream<Arguments> falseLengths() {
        return Stream.of(
                Arguments.of("a 2 GB position", body(Integer.MAX_VALUE, 0)),
                Arguments.of("a negative position", body(-1, 0)),
                Arguments.of("a negative tensor count", body(0, -1)),
                Arguments.of("2^31 tensors", body(0, Integer.MAX_VALUE)),
                Arguments.of("a 2 GB tensor name", tensor(Integer.MAX_VALUE, 0)),
                Arguments.of("a negative tensor size", tensor(1, -8)),
                Arguments.of("bytes after the last tensor", trailing()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("falseLengths")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void falseLengthsUnderAValidDigestFallBackToThePreviousCheckpoint(String what, byte[] body)
            throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 3);
        store.write(checkpoint(1));
        Path newest = store.fileOf(2);
        Files.write(newest, withDigest(body));

        assertThatThrownBy(() -> CheckpointStore.read(newest, null))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(newest + ": damaged: ");
        assertThat(store.latestValid(null)).get().extracting(Checkpoint::step).isEqualTo(1L);
    }

    private static Checkpoint checkpoint(long step) {
        return new Checkpoint(
                step, ("{\"step\":" + step + "}").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** A sink that writes {@code limit} bytes of the file and then fails as a full disk does. */
    private static FileSink diskFullAfter(int limit) {
        return (file, bytes) -> {
            Files.write(file, Arrays.copyOf(bytes, Math.min(limit, bytes.length)));
            throw new IOException("No space left on device");
        };
    }

    private static List<String> names(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A checkpoint body of step 2 up to its tensor count, lengths as given. */
    private static byte[] body(int positionLength, int count) {
        return write(
                out -> {
                    header(out);
                    out.writeInt(positionLength);
                    out.writeInt(count);
                });
    }

    /** A body of step 2 with one tensor whose name and encoding have the lengths given. */
    private static byte[] tensor(int nameLength, int encodedLength) {
        return write(
                out -> {
                    header(out);
                    out.writeInt(0);
                    out.writeInt(1);
                    out.writeInt(nameLength);
                    out.write('w');
                    out.writeInt(encodedLength);
                    out.write(new byte[16]);
                });
    }

    private static byte[] trailing() {
        return write(
                out -> {
                    header(out);
                    out.writeInt(0);
                    out.writeInt(0);
                    out.write(new byte[5]);
                });
    }

    private static void header(DataOutputStream out) throws IOException {
        out.write("SAMCKPT1".getBytes(StandardCharsets.US_ASCII));
        out.writeLong(2);
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** The body and its SHA-256, as the store writes them: the digest is valid. */
    private static byte[] withDigest(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            byte[] file = Arrays.copyOf(body, body.length + digest.length);
            System.arraycopy(digest, 0, file, body.length, digest.length);
            return file;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
