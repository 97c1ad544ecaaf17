package dev.sharpness.trainer.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.ModelSpec.Architecture;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every training method held against a second, independent implementation in PyTorch ({@code
 * bench/fidelity.py}, written from ALGORITHMS.md): from the same initial parameters and the same 50
 * batches, the parameters and BatchNorm statistics after 50 steps agree to a stated tolerance, on
 * the MLP and on the CNN (BatchNorm included). The trainer's own tests prove properties (SAM with
 * rho = 0 is SGD, ...), which a misreading shared by the whole trainer would pass; this does not.
 *
 * <p>Needs a Python with torch ({@code apt-get install python3-torch}); without one the test is
 * skipped, unless {@code SAM_REQUIRE_TORCH=1} (CI), where it fails.
 */
class FidelityTest {
    static final Path SCRIPT = Path.of("..", "bench", "fidelity.py");
    static final Path OUTPUT = Path.of("target", "fidelity");
    static final int STEPS = 50;
    static final int BATCH_SIZE = 16;
    static final long SEED = 11;
    private static final long PYTHON_SECONDS = 300;

    /** All cases share this job; each case changes its optimizer with --set style overrides. */
    private static final String MANIFEST =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: fidelity}
            spec:
              model: {architecture: mlp}
              dataset:
                format: synthetic
                synthetic: {trainSamples: 800, testSamples: 64, classes: 4, imageSize: 8}
              optimizer:
                method: SGD
                rho: 0.05
                base: {learningRate: 0.02, momentum: 0.9, weightDecay: 5.0e-4}
                schedule: {type: cosine, per: step}
              training: {epochs: 1, batchSize: 16, seed: 11}
            """;

    /** One method with its settings; {@code name} is the row of the table. */
    record Case(String name, List<String> overrides) {
        static Case of(String name, String... overrides) {
            return new Case(name, List.of(overrides));
        }
    }

    static final List<Case> CASES =
            List.of(
                    Case.of("SGD", "spec.optimizer.method=SGD"),
                    Case.of("SAM", "spec.optimizer.method=SAM", "spec.optimizer.rho=0.05"),
                    Case.of(
                            "ASAM",
                            "spec.optimizer.method=SAM",
                            "spec.optimizer.adaptive=true",
                            "spec.optimizer.rho=0.5"),
                    Case.of(
                            "K-SAM",
                            "spec.optimizer.method=KSAM",
                            "spec.optimizer.ksam.topFraction=0.75"),
                    Case.of(
                            "LookSAM",
                            "spec.optimizer.method=LookSAM",
                            "spec.optimizer.lookSam.interval=5",
                            "spec.optimizer.lookSam.alpha=0.7",
                            "spec.optimizer.lookSam.perTensor=false"),
                    Case.of(
                            "LookSAM per tensor",
                            "spec.optimizer.method=LookSAM",
                            "spec.optimizer.lookSam.interval=5",
                            "spec.optimizer.lookSam.alpha=0.7",
                            "spec.optimizer.lookSam.perTensor=true"),
                    Case.of(
                            "Look-LayerSAM",
                            "spec.optimizer.method=LookSAM",
                            "spec.optimizer.rho=0.02",
                            "spec.optimizer.lookSam.interval=5",
                            "spec.optimizer.lookSam.alpha=0.7",
                            "spec.optimizer.lookSam.perTensor=true",
                            "spec.optimizer.lookSam.layerwise=true"),
                    Case.of(
                            "SAMPa-0",
                            "spec.optimizer.method=SAMPa",
                            "spec.optimizer.sampa.lambda=0"),
                    Case.of(
                            "SAMPa-0.2",
                            "spec.optimizer.method=SAMPa",
                            "spec.optimizer.sampa.lambda=0.2"));

    static final List<Architecture> MODELS = List.of(Architecture.MLP, Architecture.CNN);

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyMethodMatchesAnIndependentPyTorchImplementation() throws Exception {
        Path dir = freshDirectory("all");
        PyTorchReference python = pythonWithTorch(dir);
        writeRuns(dir, CASES);

        PyTorchReference.Outcome outcome =
                python.run(SCRIPT, List.of(dir.toString()), dir, PYTHON_SECONDS);

        report(dir, outcome);
        assertThat(outcome.exitCode())
                .as("bench/fidelity.py disagrees with the trainer:%n%s", outcome.output())
                .isZero();
    }

    /**
     * The comparison can fail: the reference with deliberate slips (rho doubled; K-SAM's k one
     * short) no longer matches the trainer on the rows they concern, and still matches on SGD,
     * which neither touches.
     */
    @Test
    void aDeliberateSlipInTheReferenceFailsTheRowsItConcerns() throws Exception {
        Path dir = freshDirectory("slips");
        PyTorchReference python = pythonWithTorch(dir);
        writeRuns(dir, List.of(named("SGD"), named("SAM"), named("K-SAM")));

        PyTorchReference.Outcome outcome =
                python.run(
                        SCRIPT,
                        List.of(dir.toString(), "--slip", "rho-doubled", "--slip", "k-one-short"),
                        dir,
                        PYTHON_SECONDS);

        report(dir, outcome);
        assertThat(outcome.exitCode()).as(outcome.output()).isEqualTo(1);
        for (Architecture model : MODELS) {
            assertThat(outcome.output())
                    .as(outcome.output())
                    .containsPattern(row(model, "SGD", "PASS"))
                    .containsPattern(row(model, "SAM", "FAIL"))
                    .containsPattern(row(model, "K-SAM", "FAIL"));
        }
    }

    private static Case named(String name) {
        return CASES.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    /** A table row: | model | method | difference | tolerance | verdict | ... */
    private static String row(Architecture model, String method, String verdict) {
        return "\\| "
                + model.name().toLowerCase(Locale.ROOT)
                + " +\\| "
                + Pattern.quote(method)
                + " +\\|[^|\\n]*\\|[^|\\n]*\\| "
                + verdict
                + " ";
    }

    /**
     * {@code target/fidelity/NAME}, emptied: the runs stay there after the test, so the reference
     * can be rerun by hand ({@code python3 bench/fidelity.py trainer/target/fidelity/all}).
     */
    private static Path freshDirectory(String name) throws IOException {
        Path dir = OUTPUT.resolve(name);
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    /** Shows the table and keeps it as {@code table.txt} for bench/fidelity.sh. */
    private static void report(Path dir, PyTorchReference.Outcome outcome) throws IOException {
        System.out.println(outcome.output());
        Files.writeString(dir.resolve("table.txt"), outcome.output());
    }

    private static PyTorchReference pythonWithTorch(Path dir) throws Exception {
        Optional<PyTorchReference> python = PyTorchReference.find(dir);
        if (python.isEmpty()) {
            String reason =
                    "no python3 with torch (/usr/bin/python3 or python3 on the PATH); apt-get"
                            + " install python3-torch";
            if ("1".equals(System.getenv("SAM_REQUIRE_TORCH"))) {
                fail(reason + ", and SAM_REQUIRE_TORCH=1 requires the comparison");
            }
            assumeTrue(false, reason);
        }
        return python.get();
    }

    /**
     * Trains every case on every model and writes what the reference needs: {@code
     * data.safetensors} (the batches), per run the tensors before and after, and {@code runs.json}
     * listing the runs with each one's optimizer spec as the trainer read it.
     */
    static void writeRuns(Path dir, List<Case> cases) throws Exception {
        FidelityBatches batches = new FidelityBatches(STEPS, BATCH_SIZE, SEED);
        batches.write(dir.resolve("data.safetensors"));
        ObjectNode index = JSON.createObjectNode();
        index.put("steps", STEPS)
                .put("classes", FidelityBatches.CLASSES)
                .put("data", "data.safetensors");
        ArrayNode runs = index.putArray("runs");
        for (Architecture model : MODELS) {
            for (Case c : cases) {
                OptimizerSpec spec = optimizer(c);
                String stem = model.name().toLowerCase(Locale.ROOT) + "-" + slug(c.name());
                TrainerTrajectory.run(
                        model,
                        SEED,
                        spec,
                        batches,
                        STEPS,
                        dir.resolve(stem + ".initial.safetensors"),
                        dir.resolve(stem + ".final.safetensors"));
                ObjectNode run = runs.addObject();
                run.put("model", model.name().toLowerCase(Locale.ROOT))
                        .put("method", c.name())
                        .put("initial", stem + ".initial.safetensors")
                        .put("final", stem + ".final.safetensors");
                run.set("optimizer", JSON.valueToTree(spec));
            }
        }
        Files.writeString(dir.resolve("runs.json"), JSON.writeValueAsString(index));
    }

    private static OptimizerSpec optimizer(Case c) {
        List<String> overrides = new ArrayList<>(c.overrides());
        return ManifestLoader.parse(MANIFEST, "fidelity.yaml", overrides).getSpec().getOptimizer();
    }

    private static String slug(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-");
    }
}
