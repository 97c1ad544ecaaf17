package dev.sharpness.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small CIFAR binary files for tests. */
final class CifarFiles {
    private CifarFiles() {}

    /**
     * The pixel byte at (channel, y, x) of a record: depends on all four so that a layout mix-up
     * shows.
     */
    static int pixel(int record, int channel, int y, int x) {
        return (record * 31 + channel * 80 + y * 3 + x) & 0xFF;
    }

    /**
     * A file of records whose leading label bytes are given, one array of label bytes per record.
     */
    static void write(Path file, int firstRecord, int[]... labelBytes) throws IOException {
        int labelLength = labelBytes[0].length;
        int recordSize = labelLength + CifarReader.PIXELS;
        byte[] data = new byte[labelBytes.length * recordSize];
        for (int r = 0; r < labelBytes.length; r++) {
            int offset = r * recordSize;
            for (int k = 0; k < labelLength; k++) {
                data[offset + k] = (byte) labelBytes[r][k];
            }
            int i = offset + labelLength;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        data[i++] = (byte) pixel(firstRecord + r, c, y, x);
                    }
                }
            }
        }
        Files.createDirectories(file.getParent());
        Files.write(file, data);
    }
}
