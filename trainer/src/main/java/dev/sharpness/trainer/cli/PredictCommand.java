package dev.sharpness.trainer.cli;

import dev.sharpness.trainer.inference.ImageInputs;
import dev.sharpness.trainer.inference.TrainedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sam-trainer predict RUN_DIR|CHECKPOINT IMAGES...}: the top classes of each image. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description =
                "The most probable classes of PNG/JPEG images (scaled to the model's input,"
                        + " normalized as its training data) or of every image of an IDX file.")
final class PredictCommand implements Callable<Integer> {
    @Mixin ModelSource model = new ModelSource();

    @Parameters(index = "1..*", paramLabel = "IMAGES", description = "PNG, JPEG or IDX files.")
    List<Path> images = new ArrayList<>();

    @Option(
            names = "--top-k",
            paramLabel = "K",
            description = "Classes to show per image (default: 3).")
    int topK = 3;

    @Override
    public Integer call() {
        if (topK < 1) {
            throw new InvalidJobException("--top-k: expected at least 1, got " + topK, null);
        }
        EngineSetup.configure(model.threads);
        try (TrainedModel trained = TrainedModel.open(model.source, model.overrides)) {
            List<ImageInputs.Input> inputs =
                    ImageInputs.read(
                            images,
                            trained.job().getSpec().getDataset().getFormat(),
                            trained.inputShape());
            List<String> names = trained.classNames();
            int classes = names.size();
            int k = Math.min(topK, classes);
            int nameWidth = inputs.stream().mapToInt(i -> i.name().length()).max().orElse(0);
            System.out.printf("model %s (step %d)%n", trained.checkpoint(), trained.step());
            for (ImageInputs.Input input : inputs) {
                float[] logits = trained.logits(input.pixels(), 1);
                double[] p = softmax(logits);
                StringBuilder line =
                        new StringBuilder(String.format("%-" + nameWidth + "s", input.name()));
                IntStream.range(0, classes)
                        .boxed()
                        .sorted(Comparator.comparingDouble((Integer c) -> -p[c]))
                        .limit(k)
                        .forEach(
                                c ->
                                        line.append(
                                                String.format(
                                                        Locale.ROOT,
                                                        "  %s %.3f",
                                                        names.get(c),
                                                        p[c])));
                System.out.println(line);
            }
            return ExitCodes.OK;
        }
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
