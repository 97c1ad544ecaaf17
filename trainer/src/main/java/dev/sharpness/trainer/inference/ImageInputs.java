package dev.sharpness.trainer.inference;

import dev.sharpness.api.v1alpha1.DatasetSpec.Format;
import dev.sharpness.trainer.data.DataException;
import dev.sharpness.trainer.data.IdxReader;
import dev.sharpness.trainer.data.Normalization;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Image files as a model's inputs, prepared as the training data is: PNG or JPEG images are scaled
 * to the model's height and width (bilinear), turned grey (ITU-R BT.601 luma, as PIL's "L") for a
 * one-channel model, and normalized per channel as the dataset's readers normalize bytes; an IDX
 * image file gives each of its images as they are.
 */
public final class ImageInputs {
    private static final int IDX_IMAGES_MAGIC = 0x00000803;

    /** One image to classify, normalized, (C, H, W). */
    public record Input(String name, float[] pixels) {}

    private ImageInputs() {}

    /** Reads every file; an IDX file contributes one input per image ({@code file[i]}). */
    public static List<Input> read(List<Path> files, Format format, int[] shape) {
        if (format == Format.SYNTHETIC) {
            throw new DataException(
                    "spec.dataset.format",
                    "the model was trained on synthetic data, which is generated already"
                            + " normalized: there is no way to turn image files into its inputs");
        }
        Normalization normalization = Normalization.of(format);
        if (normalization.channels() != shape[0]) {
            throw new IllegalStateException(
                    "a model of " + shape[0] + " channels trained on " + format);
        }
        List<Input> inputs = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new DataException(file, "no such file");
            }
            if (isIdx(file)) {
                IdxReader.Images images = IdxReader.readImages(file, normalization);
                if (shape[0] != 1 || images.rows() != shape[1] || images.columns() != shape[2]) {
                    throw new DataException(
                            file,
                            "holds %dx%d grey images; the model takes %dx%dx%d"
                                    .formatted(
                                            images.rows(),
                                            images.columns(),
                                            shape[0],
                                            shape[1],
                                            shape[2]));
                }
                int length = images.rows() * images.columns();
                for (int i = 0; i < images.count(); i++) {
                    float[] pixels = new float[length];
                    System.arraycopy(images.pixels(), i * length, pixels, 0, length);
                    inputs.add(new Input(file.getFileName() + "[" + i + "]", pixels));
                }
            } else {
                inputs.add(new Input(file.toString(), picture(file, normalization, shape)));
            }
        }
        return inputs;
    }

    private static boolean isIdx(Path file) {
        try (InputStream raw = Files.newInputStream(file)) {
            byte[] head = raw.readNBytes(4);
            InputStream in =
                    head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B
                            ? new GZIPInputStream(Files.newInputStream(file))
                            : null;
            if (in != null) {
                try (in) {
                    head = in.readNBytes(4);
                }
            }
            return head.length == 4
                    && ((head[0] & 0xFF) << 24
                                    | (head[1] & 0xFF) << 16
                                    | (head[2] & 0xFF) << 8
                                    | (head[3] & 0xFF))
                            == IDX_IMAGES_MAGIC;
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static float[] picture(Path file, Normalization normalization, int[] shape) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new DataException(file, "not a readable PNG or JPEG image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new DataException(file, "not a PNG or JPEG image");
        }
        int channels = shape[0];
        int height = shape[1];
        int width = shape[2];
        BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        float[] pixels = new float[channels * height * width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = scaled.getRGB(x, y);
                int r = rgb >> 16 & 0xFF;
                int gr = rgb >> 8 & 0xFF;
                int b = rgb & 0xFF;
                int at = y * width + x;
                if (channels == 1) {
                    int luma = (int) Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
                    pixels[at] = normalization.value(0, (byte) luma);
                } else {
                    int plane = height * width;
                    pixels[at] = normalization.value(0, (byte) r);
                    pixels[plane + at] = normalization.value(1, (byte) gr);
                    pixels[2 * plane + at] = normalization.value(2, (byte) b);
                }
            }
        }
        return pixels;
    }
}
