package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How a real pair of worker processes meets intruders and broken replicas. */
class PairFailureTest {
    @TempDir Path dir;

    @Test
    @Timeout(180)
    void aThirdProcessWithAWrongTokenIsRefusedAndThePairStillFinishes() throws Exception {
        Workers workers = new Workers(dir, Workers.PAIR_JOB);
        Path wrong = dir.resolve("wrong-token");
        Files.writeString(wrong, "guessed-token");
        int port = Workers.freePort();
        Process rank0 = workers.worker(0, port, "out", "rank0").start();
        Process intruder = workers.worker(1, port, "intruder", "intruder", wrong).start();

        assertThat(Workers.exitCode(intruder)).as(workers.log("intruder")).isEqualTo(2);
        assertThat(workers.log("intruder")).contains("refused our token");
        Workers.await(
                "rank 0 logging the refusal",
                Duration.ofSeconds(10),
                () -> logOf(workers, "rank0").contains("wrong bearer token"));

        Process rank1 = workers.worker(1, port, "out/rank-1", "rank1").start();
        assertThat(Workers.exitCode(rank0)).as(workers.log("rank0")).isZero();
        assertThat(Workers.exitCode(rank1)).as(workers.log("rank1")).isZero();
    }

    /**
     * Both ranks apply the same arithmetic to the same swapped vectors, so no honest setting makes
     * their parameters differ; a fault injected by the test nudges rank 1's after step 1, as a bit
     * flip would. The next replica check (step 4) ends both ranks with exit code 5.
     */
    @Test
    @Timeout(180)
    void replicasThatDriftApartEndBothRanksWithExitFive() throws Exception {
        Workers workers = new Workers(dir, Workers.PAIR_JOB);
        int port = Workers.freePort();
        Process rank0 = workers.worker(0, port, "out", "rank0").start();
        ProcessBuilder faulty =
                FaultyWorker.injecting(
                        workers.worker(1, port, "out/rank-1", "rank1"),
                        FaultyWorker.CORRUPT_REPLICA_AFTER_STEP,
                        1);
        Process rank1 = faulty.start();

        assertThat(Workers.exitCode(rank0)).as(workers.log("rank0")).isEqualTo(5);
        assertThat(Workers.exitCode(rank1)).as(workers.log("rank1")).isEqualTo(5);
        assertThat(workers.log("rank0")).contains("the replicas differ at step 4");
    }

    private static String logOf(Workers workers, String name) {
        try {
            return workers.log(name);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
