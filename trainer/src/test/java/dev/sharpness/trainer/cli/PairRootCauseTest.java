package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A pair of worker processes reports the root cause of its end on both ranks. */
class PairRootCauseTest {
    @TempDir Path dir;

    /**
     * One rank's loss goes NaN (a fault injected by the test takes rank {@code diverging}'s loss at
     * step 5 for NaN) while the other's is still finite. The other rank learns it from the stream,
     * not from a stream that ends: both report exit 4 and the diverging rank's message.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    @Timeout(120)
    void whenOneRankDivergesBothReportTheDivergence(int diverging) throws Exception {
        Workers workers = new Workers(dir, Workers.PAIR_JOB);
        int port = Workers.freePort();
        ProcessBuilder[] ranks = {
            workers.worker(0, port, "out", "rank0"), workers.worker(1, port, "out/rank-1", "rank1")
        };
        FaultyWorker.injecting(ranks[diverging], FaultyWorker.DIVERGE_AT_STEP, 5);
        Process rank0 = ranks[0].start();
        Process rank1 = ranks[1].start();
        try {
            int code0 = Workers.exitCode(rank0);
            int code1 = Workers.exitCode(rank1);
            String logs = workers.log("rank0") + "\n----\n" + workers.log("rank1");
            assertThat(new int[] {code0, code1}).as(logs).containsExactly(4, 4);
            String peer = diverging == 0 ? "rank1" : "rank0";
            assertThat(workers.log(peer))
                    .contains("rank " + diverging + " diverged at step 5")
                    .contains("training diverged: loss NaN at step 5");
        } finally {
            rank0.destroyForcibly();
            rank1.destroyForcibly();
        }
    }
}
