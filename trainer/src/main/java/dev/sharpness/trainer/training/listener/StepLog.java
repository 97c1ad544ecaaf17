package dev.sharpness.trainer.training.listener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * steps.csv: a row per logged step ({@link ProgressListener#logged}), appended as the run goes so a
 * stopped run keeps its rows. On resume from step s the rows after s (written after the checkpoint
 * the run continues from) are dropped, so every step has exactly one row, as in a run that never
 * stopped. Epochs count from 1, as in metrics.csv.
 */
public final class StepLog implements ProgressListener {
    public static final String FILE = "steps.csv";
    static final String HEADER = "step,epoch,learning_rate,train_loss,train_accuracy,step_seconds";

    private final Path file;

    /** {@code file}: where the rows go, usually the run folder's {@value #FILE}. */
    public StepLog(Path file) {
        this.file = file;
    }

    @Override
    public void started(long totalSteps, long startStep) {
        List<String> kept = new ArrayList<>(List.of(HEADER));
        if (startStep > 0 && Files.exists(file)) {
            for (StepReport row : read(file)) {
                if (row.step() <= startStep) {
                    kept.add(format(row));
                }
            }
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temporary, kept, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void logged(StepReport report) {
        try {
            Files.writeString(
                    file,
                    format(report) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /**
     * The rows of a steps.csv; an empty list when there is none. A last line cut short (the process
     * died while writing it) is skipped.
     */
    public static List<StepReport> read(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<StepReport> rows = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length != 6) {
                continue;
            }
            try {
                rows.add(
                        new StepReport(
                                Long.parseLong(f[0]),
                                Integer.parseInt(f[1]) - 1,
                                Double.parseDouble(f[3]),
                                Double.parseDouble(f[4]),
                                Double.parseDouble(f[2]),
                                Double.parseDouble(f[5])));
            } catch (NumberFormatException e) {
                // A row cut short: skipped, like one of the wrong width.
            }
        }
        return rows;
    }

    private static String format(StepReport r) {
        return String.format(
                Locale.ROOT,
                "%d,%d,%.6g,%.6f,%.6f,%.6f",
                r.step(),
                r.epoch() + 1,
                r.learningRate(),
                r.loss(),
                r.accuracy(),
                r.stepSeconds());
    }
}
