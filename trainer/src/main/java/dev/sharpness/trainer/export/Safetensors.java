package dev.sharpness.trainer.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a
 * JSON header that gives each tensor's dtype, shape and byte range and holds string metadata under
 * {@code __metadata__}, then the tensors' raw little-endian bytes back to back. The header is
 * padded with spaces to a multiple of 8 bytes, so every tensor starts aligned.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One tensor: its safetensors dtype ({@code F32}, {@code I64}), shape and little-endian bytes.
     */
    public record Tensor(String dtype, long[] shape, byte[] data) {
        /** A float32 tensor. */
        public static Tensor f32(long[] shape, float[] values) {
            ByteBuffer bytes =
                    ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            return new Tensor("F32", shape, bytes.array());
        }

        /** An int64 tensor. */
        public static Tensor i64(long[] shape, long[] values) {
            ByteBuffer bytes =
                    ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asLongBuffer().put(values);
            return new Tensor("I64", shape, bytes.array());
        }
    }

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public Safetensors put(String name, Tensor tensor) {
        if (tensors.putIfAbsent(name, tensor) != null) {
            throw new IllegalArgumentException("tensor " + name + " given twice");
        }
        return this;
    }

    public Safetensors metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** The whole file's bytes. */
    public byte[] toBytes() {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", e.getValue().dtype());
            ArrayNode shape = entry.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long end = offset + e.getValue().data().length;
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out =
                ByteBuffer.allocate(Math.toIntExact(8 + padded + offset))
                        .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        tensors.values().forEach(t -> out.put(t.data()));
        return out.array();
    }

    /** Writes the file through a temporary one beside it, so a failed write leaves no half file. */
    public void write(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(temporary)) {
            out.write(toBytes());
        } catch (IOException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
    }
}
