package dev.sharpness.trainer.training;

import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.exchange.Layout;
import dev.sharpness.trainer.exchange.StepIntent;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.optim.Objective;
import dev.sharpness.trainer.optim.Optimizers;
import dev.sharpness.trainer.optim.SampaWorker;
import dev.sharpness.trainer.optim.TrainingMethod;
import dev.sharpness.trainer.training.listener.ProgressListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One rank of a SAMPa pair. Rank 0 owns the run's state: it hands its resume checkpoint to rank 1
 * when the pair forms, and takes rank 1's own state (its BatchNorm statistics) before every
 * checkpoint. Both ranks check every {@link PairRole#checksumEverySteps} steps, and after the last,
 * that their parameters are identical (also after a step that ends the run early), and stop
 * together at a step whose swap carried a request (a stop, or rank 0's early end).
 */
final class WorkerPair implements WorkerGroup {
    /**
     * How often rank 0 tells its listeners its pace ({@link ProgressListener#paced}), also at the
     * run's last step, and how many swaps it waits for first: a hundred steps put the medians past
     * the first steps' warm-up (a JIT compiling the exchange, a GPU tuning its kernels), so a short
     * run is not judged at all.
     */
    static final int PACE_EVERY_STEPS = 100;

    private final PairRole role;
    private final long lastStep;
    private final ProgressListener progress;
    private final PairLink link;
    private Network network;
    private SampaWorker<Batch> worker;
    private SwapPace toldPace; // rank 0: the pace it last told its listeners

    WorkerPair(PairRole role, long lastStep, ProgressListener progress) {
        this.role = role;
        this.lastStep = lastStep;
        this.progress = progress;
        this.link = new PairLink(role.rank());
    }

    @Override
    public int size() {
        return 2;
    }

    @Override
    public boolean writesState() {
        return role.rank() == 0;
    }

    @Override
    public TrainingMethod<Batch> method(
            OptimizerSpec spec, Objective<Batch> objective, NDManager owner, long firstSharpStep) {
        Optimizers.SampaRank<Batch> rank =
                Optimizers.sampaRank(
                        spec,
                        objective,
                        owner,
                        role.rank(),
                        link,
                        firstSharpStep,
                        role.overlapBackward());
        worker = rank.worker();
        return rank.method();
    }

    @Override
    public byte[] join(Network network, Supplier<byte[]> resumeState) {
        this.network = network;
        List<long[]> shapes =
                network.trainable().tensors().stream().map(t -> t.getShape().getShape()).toList();
        Layout layout = new Layout(network.trainableNames(), shapes);
        byte[] handOver = role.rank() == 0 ? resumeState.get() : new byte[0];
        link.open(role.connect().connect(layout, handOver));
        progress.paired(link.exchange()::stats);
        return role.rank() == 1 ? link.exchange().resumeState() : new byte[0];
    }

    /**
     * Rank 0 announces an early end as a stop without its checkpoint flag, which a stop asked for
     * never sends (rank 0 always checkpoints then): rank 1 tells the two apart by it. Rank 0 still
     * checkpoints after the step, and rank 1 sends its state for it, as after any stop.
     */
    @Override
    public void beforeStep(boolean checkpointDue, boolean stopAsked, boolean endAnnounced) {
        link.intend(
                endAnnounced && !stopAsked
                        ? new StepIntent(false, true)
                        : new StepIntent(checkpointDue, stopAsked));
    }

    @Override
    public void afterStep(long stepsDone, NDManager root) {
        boolean last = stepsDone == lastStep || link.endAnnounced();
        if (stepsDone % role.checksumEverySteps() == 0 || last) {
            link.exchange().verifyReplicas(stepsDone, network.trainableChecksum());
        }
        if (role.rank() == 0 && (stepsDone % PACE_EVERY_STEPS == 0 || last)) {
            measuredPace()
                    .ifPresent(
                            pace -> {
                                toldPace = pace;
                                progress.paced(pace);
                            });
        }
        if (!link.stateFollows()) {
            return;
        }
        if (role.rank() == 1) {
            link.exchange().sendState(stepsDone, worker.ownState());
            return;
        }
        try (NDManager scope = root.newSubManager()) {
            worker.keepPeerState(link.exchange().receiveState(stepsDone), scope);
        }
    }

    /**
     * Only a step whose swap carried a request or rank 0's early end stops the pair, so both ranks
     * stop (or end) together. Rank 1 never decides an early end: only rank 0's evaluation counts.
     */
    @Override
    public Next agree(boolean askedBefore, boolean askedNow, boolean endAnnounced, boolean endNow) {
        boolean ends = link.endAnnounced();
        boolean peerAsked = link.peer().stop() && !(role.rank() == 1 && ends);
        if (askedBefore || peerAsked) {
            return Next.STOP;
        }
        return ends ? Next.END : Next.CONTINUE;
    }

    /** Without this the peer only sees the stream end, and reports a lost peer (exit 3). */
    @Override
    public void diverged(long step, String message) {
        link.exchange().reportDiverged(step, message);
    }

    /**
     * This rank's gradient pass against its swap's transfer, medians over the recent steps of this
     * process; empty before its {@link #PACE_EVERY_STEPS}th swap (a resumed run counts again).
     */
    private Optional<SwapPace> measuredPace() {
        SwapStats swaps = link.exchange().stats();
        Double pass = worker.phaseMillis().get(SampaWorker.GRADIENT_PHASE);
        if (swaps.swaps() < PACE_EVERY_STEPS || pass == null) {
            return Optional.empty();
        }
        return SwapPace.ofMillis(pass, swaps.p50TransferMillis());
    }

    @Override
    public Optional<SwapPace> pace() {
        return Optional.ofNullable(toldPace);
    }

    @Override
    public SwapStats exchangeStats() {
        return link.exchange().stats();
    }

    @Override
    public Map<String, Double> stepPhaseMillis() {
        return worker == null ? null : worker.phaseMillis();
    }

    @Override
    public void close() {
        link.close();
    }
}
