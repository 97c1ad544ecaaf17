package dev.sharpness.trainer.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file's whole content and makes it durable. The store writes through one, so a test can
 * supply one that fails the way a full disk does.
 */
@FunctionalInterface
interface FileSink {
    /** Creates or truncates {@code file}, writes {@code bytes} and forces them to the device. */
    void write(Path file, byte[] bytes) throws IOException;

    /** The file system's own: a FileChannel, forced before it is closed. */
    FileSink DURABLE =
            (file, bytes) -> {
                try (FileChannel channel =
                        FileChannel.open(
                                file,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.TRUNCATE_EXISTING,
                                StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                }
            };
}
