package dev.sharpness.trainer.cli;

/**
 * Settings that must be in place before DJL loads its engine: offline mode (nothing is ever
 * downloaded; the PyTorch natives come from the class path), PyTorch as the engine, thread counts,
 * and headless AWT for the charts.
 */
public final class EngineSetup {
    private static final String THREADS = "ai.djl.pytorch.num_threads";

    private EngineSetup() {}

    /**
     * @throws InvalidJobException when {@code --threads} is below 1 (PyTorch would fail later with
     *     a stack trace instead of a message)
     */
    public static void configure(Integer intraOpThreads) {
        configure(intraOpThreads, Runtime.getRuntime().availableProcessors());
    }

    /**
     * As {@link #configure(Integer)}, with {@code cores} intra-op threads where neither {@code
     * --threads} nor the system property says otherwise.
     */
    public static void configure(Integer intraOpThreads, int cores) {
        if (intraOpThreads != null && intraOpThreads < 1) {
            throw new InvalidJobException(
                    "--threads: expected at least 1, got " + intraOpThreads, null);
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.default_engine", "PyTorch");
        System.setProperty("java.awt.headless", "true");
        // The intra-op thread count decides how PyTorch splits its reductions, so it is part of a
        // bit-exact result: an explicit -Dai.djl.pytorch.num_threads stays unless --threads is
        // given.
        if (intraOpThreads != null || System.getProperty(THREADS) == null) {
            int threads = intraOpThreads != null ? intraOpThreads : cores;
            System.setProperty(THREADS, Integer.toString(threads));
        }
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** The intra-op thread count PyTorch will be given. */
    public static int intraOpThreads() {
        return Integer.parseInt(System.getProperty(THREADS));
    }
}
