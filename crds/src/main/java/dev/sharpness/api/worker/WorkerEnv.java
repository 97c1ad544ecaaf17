package dev.sharpness.api.worker;

import java.util.Set;

/** The environment variables the operator sets on a worker and the worker reads. */
public final class WorkerEnv {
    /** The worker's rank: 0 (serves; owns checkpoints and outputs), or 1 (SAMPa's second rank). */
    public static final String RANK = "SAM_RANK";

    /** For rank 1 of a pair: rank 0's address, {@code host:port}. */
    public static final String PEER = "SAM_PEER";

    /** The execution attempt; the pair's handshake refuses a peer of another attempt. */
    public static final String ATTEMPT = "SAM_ATTEMPT";

    /** A file holding the job's exchange token; every call between the ranks carries it. */
    public static final String TOKEN_FILE = "SAM_TOKEN_FILE";

    /**
     * The cores the worker's container requested: the downward API's {@code requests.cpu} with a
     * divisor of 1, so rounded up to whole cores, and 0 where nothing is requested. The worker
     * sizes its PyTorch threads and exchange streams to the fewer of these and the cores the JVM
     * may use: a pod with a CPU request and no CPU limit would otherwise size them to the whole
     * node, since the JVM follows a container's CPU limit but not its request.
     */
    public static final String CPU_CORES = "SAM_CPU_CORES";

    /** Every variable of the contract: a job's pod template cannot override these. */
    public static final Set<String> ALL = Set.of(RANK, PEER, ATTEMPT, TOKEN_FILE, CPU_CORES);

    private WorkerEnv() {}
}
