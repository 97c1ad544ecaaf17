package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.trainer.export.Safetensors;
import dev.sharpness.trainer.inference.TrainedModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * `evaluate`, `predict` and `export` on runs trained here (an mlp, a cnn and a resnet20, one epoch
 * on a small Fashion-MNIST-format set of 8x8 images), and the export checked by an independent
 * numpy forward pass.
 */
class UseTrainedModelTest {
    private static final int SIDE = 8;
    private static final String JOB =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: ARCH-job}
            spec:
              model: {architecture: ARCH}
              dataset: {format: fashion-mnist, path: data, validationFraction: 0.25}
              optimizer: {method: SGD, base: {learningRate: 0.05}}
              training: {epochs: 1, batchSize: 16, seed: 3}
            """;

    @TempDir static Path dir;

    @BeforeAll
    static void trainMlpAndCnn() throws IOException {
        writeIdx(dir.resolve("data"), "train", 64, SIDE);
        writeIdx(dir.resolve("data"), "t10k", 20, SIDE);
        writeIdx(dir.resolve("data12"), "train", 8, 12);
        writeIdx(dir.resolve("data12"), "t10k", 8, 12);
        for (String arch : new String[] {"mlp", "cnn", "resnet20"}) {
            Path manifest = dir.resolve(arch + ".yaml");
            Files.writeString(manifest, JOB.replace("ARCH", arch));
            Result r = cli("run", manifest.toString(), "--out=" + run(arch), "--threads=1");
            assertThat(r.code).as(r.err).isZero();
        }
    }

    @Test
    void evaluateReportsTheRunsTestAccuracyPerClassAndAConfusionPng() throws IOException {
        Result r = cli("evaluate", run("cnn").toString(), "--threads=1");
        assertThat(r.code).as(r.err).isZero();
        JsonNode summary = new ObjectMapper().readTree(run("cnn").resolve("summary.json").toFile());
        // One epoch: the best model is the final one, whose test accuracy the summary holds.
        String accuracy =
                String.format("accuracy %.2f%%", 100 * summary.get("testAccuracy").asDouble());
        assertThat(r.out)
                .contains("best-model")
                .contains(accuracy)
                .contains("T-shirt/top")
                .contains("Ankle boot")
                .contains("confusion matrix");
        BufferedImage png = ImageIO.read(run("cnn").resolve("confusion-test.png").toFile());
        assertThat(png.getWidth()).isGreaterThan(400);
    }

    @Test
    void evaluateOnDataOfAnotherShapeExitsTwoNamingTheField() {
        Result r =
                cli(
                        "evaluate",
                        run("mlp").toString(),
                        "--set",
                        "spec.dataset.path=" + dir.resolve("data12"));
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("spec.dataset").contains("1x12x12").contains("shape");
    }

    @Test
    void missingOrDamagedCheckpointsExitTwoNamingTheFile() throws IOException {
        Result missing = cli("evaluate", dir.resolve("no-such-run").toString());
        assertThat(missing.code).isEqualTo(2);
        assertThat(missing.err).contains("no-such-run").contains("no such run folder");

        Path best;
        try (var files = Files.list(run("mlp").resolve("best-model"))) {
            best = files.findFirst().orElseThrow();
        }
        Path damaged = run("mlp").resolve("checkpoints").resolve("step-000000999999.ckpt");
        byte[] bytes = Files.readAllBytes(best);
        bytes[bytes.length / 2] ^= 1;
        Files.write(damaged, bytes);
        try {
            Result r = cli("predict", damaged.toString(), dir.resolve("shirt.png").toString());
            assertThat(r.code).isEqualTo(2);
            assertThat(r.err).contains(damaged.toString()).contains("corrupt");
        } finally {
            Files.delete(damaged);
        }
    }

    @Test
    void predictGivesTopClassesOfPngAndIdxImages() throws IOException {
        BufferedImage image = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        image.setRGB(5, 5, 0xFFFFFF);
        Path png = dir.resolve("shirt.png");
        ImageIO.write(image, "png", png.toFile());
        Path idx = dir.resolve("data").resolve("t10k-images-idx3-ubyte");
        Result r =
                cli("predict", run("cnn").toString(), png.toString(), idx.toString(), "--top-k=2");
        assertThat(r.code).as(r.err).isZero();
        List<String> lines = r.out.lines().toList();
        assertThat(lines).hasSize(1 + 1 + 20);
        String[] columns = lines.get(1).split("  ");
        assertThat(columns[0]).isEqualTo(png.toString());
        assertThat(columns).hasSize(3);
        assertThat(columns[1]).matches(".+ [01]\\.\\d{3}");
        assertThat(columns[2]).matches(".+ [01]\\.\\d{3}");
        assertThat(lines.get(21)).startsWith("t10k-images-idx3-ubyte[19]");

        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image");
        Result bad = cli("predict", run("cnn").toString(), text.toString());
        assertThat(bad.code).isEqualTo(2);
        assertThat(bad.err).contains(text.toString()).contains("not a PNG or JPEG image");
    }

    @Test
    void exportWritesPyTorchNamesAndTheArchitectureInTheMetadata() throws IOException {
        Path out = dir.resolve("cnn.safetensors");
        Result r = cli("export", run("cnn").toString(), "--format=safetensors", "--out=" + out);
        assertThat(r.code).as(r.err).isZero();
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        int length = (int) file.getLong();
        JsonNode header =
                new ObjectMapper()
                        .readTree(new String(file.array(), 8, length, StandardCharsets.UTF_8));
        assertThat(header.get("__metadata__").get("architecture").asText()).isEqualTo("cnn");
        assertThat(header.get("__metadata__").get("input_shape").asText()).isEqualTo("[1,8,8]");
        assertThat(header.get("__metadata__").get("normalization").asText()).contains("0.286");
        assertThat(header.get("conv1.weight").get("shape").toString()).isEqualTo("[32,1,3,3]");
        assertThat(header.get("bn2.running_var").get("dtype").asText()).isEqualTo("F32");
        assertThat(header.get("bn1.num_batches_tracked").get("dtype").asText()).isEqualTo("I64");
        assertThat(header.get("fc2.bias").get("shape").toString()).isEqualTo("[10]");
        assertThat(length % 8).isZero();

        Result wrong = cli("export", run("cnn").toString(), "--format=onnx");
        assertThat(wrong.code).isEqualTo(2);
        assertThat(wrong.err).contains("--format").contains("safetensors");
    }

    /** The key check: numpy, reading only the exported file, computes the trainer's logits. */
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "resnet20"})
    void numpyOnTheExportedFileAgreesWithTheTrainersLogits(String arch) throws Exception {
        Path model = dir.resolve(arch + "-cross.safetensors");
        Result r = cli("export", run(arch).toString(), "--format=safetensors", "--out=" + model);
        assertThat(r.code).as(r.err).isZero();
        int n = 6;
        float[] pixels;
        float[] logits;
        EngineSetup.configure(1);
        try (TrainedModel trained = TrainedModel.open(run(arch), List.of())) {
            int length = trained.data().test().sampleLength();
            pixels = Arrays.copyOf(trained.data().test().pixels(), n * length);
            logits = trained.logits(pixels, n);
        }
        Path images = dir.resolve(arch + "-images.safetensors");
        new Safetensors()
                .put("images", Safetensors.Tensor.f32(new long[] {n, 1, SIDE, SIDE}, pixels))
                .write(images);
        double[][] expected = numpy(model, images);
        assertThat(expected).hasNumberOfRows(n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 10; k++) {
                worst = Math.max(worst, Math.abs(expected[i][k] - logits[i * 10 + k]));
            }
        }
        System.err.printf("%s: numpy and the trainer differ by at most %.3g%n", arch, worst);
        assertThat(worst).isLessThan(1e-4);
    }

    /** Runs the numpy forward pass; a machine without python3 or numpy fails here, by design. */
    private static double[][] numpy(Path model, Path images) throws Exception {
        Path script = Path.of("src/test/resources/export/numpy_forward.py").toAbsolutePath();
        Process p;
        try {
            p =
                    new ProcessBuilder(
                                    "python3",
                                    script.toString(),
                                    model.toString(),
                                    images.toString())
                            .redirectError(ProcessBuilder.Redirect.PIPE)
                            .start();
        } catch (IOException e) {
            return fail(
                    "the export cross-check needs python3 with numpy (apt-get install python3-numpy): "
                            + e.getMessage());
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return fail("numpy_forward.py did not finish within 60 s");
        }
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            return fail(
                    "numpy_forward.py exited "
                            + p.exitValue()
                            + (err.contains("No module named 'numpy'")
                                    ? ": numpy is missing (apt-get install python3-numpy)"
                                    : "")
                            + "\n"
                            + err);
        }
        return new ObjectMapper().readValue(out, double[][].class);
    }

    private static Path run(String arch) {
        return dir.resolve("runs").resolve(arch);
    }

    private record Result(int code, String out, String err) {}

    /** Runs the CLI in this JVM, with its standard output captured. */
    private static synchronized Result cli(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = SamTrainer.execute(new PrintWriter(err, true), args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    /** A Fashion-MNIST-format part of {@code count} images with a class-dependent pattern. */
    private static void writeIdx(Path dir, String part, int count, int side) throws IOException {
        Files.createDirectories(dir);
        ByteBuffer images = ByteBuffer.allocate(16 + count * side * side);
        images.putInt(0x803).putInt(count).putInt(side).putInt(side);
        ByteBuffer labels = ByteBuffer.allocate(8 + count);
        labels.putInt(0x801).putInt(count);
        for (int i = 0; i < count; i++) {
            int label = i % 10;
            labels.put((byte) label);
            for (int j = 0; j < side * side; j++) {
                images.put((byte) ((j * (label + 3) + i * 7) % 256));
            }
        }
        Files.write(dir.resolve(part + "-images-idx3-ubyte"), images.array());
        Files.write(dir.resolve(part + "-labels-idx1-ubyte"), labels.array());
    }
}
