package dev.sharpness.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.trainer.cli.SamTrainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code sam-trainer bench wire-convert} prints one row per thread count, with its timings. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireConvertTest {

    @Test
    void printsARowPerThreadCount() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit =
                SamTrainer.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        "bench",
                        "wire-convert",
                        "300000",
                        "1",
                        "2",
                        "--repeats",
                        "1");

        assertThat(exit).as(err.toString()).isZero();
        List<String> rows =
                out.toString().lines().filter(l -> l.matches("\\| \\d+ \\|.*")).toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).startsWith("| 1 |");
        assertThat(rows.get(1)).startsWith("| 2 |");
        for (String row : rows) {
            String[] cells = row.split("\\|");
            assertThat(Double.parseDouble(cells[4].trim())).isPositive();
        }
    }
}
