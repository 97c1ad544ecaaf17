package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDManager;

/**
 * Two vectors shaped like the parameters that a training method keeps for its whole run and
 * overwrites every step, where it would otherwise make parameter-sized temporaries afresh: the
 * parameters saved before a pass at moved ones, and room for a scaled gradient.
 *
 * <p>A fresh tensor the size of a large layer (3.5 MB for the MLP's first) is memory the allocator
 * has often handed back to the kernel since the last step, so the first write to it page-faults
 * every 4 KiB page in again. A SAMPa rank made six to nine such tensors per step and took some
 * 10,000-30,000 page faults a second doing it (docs/benchmarks/pair-time.md). Reused tensors fault
 * once. The arithmetic, and so every bit of the result, is what the temporaries gave.
 */
final class Workspace {
    private final ParamVector saved;
    private final ParamVector scratch;

    Workspace(ParamVector like, NDManager owner) {
        this.saved = ParamVector.zerosLike(like, owner);
        this.scratch = ParamVector.zerosLike(like, owner);
    }

    /**
     * A copy of {@code x}'s values, to restore them bit for bit with {@code x.assign(saved)}; it
     * holds them until the next call.
     */
    ParamVector save(ParamVector x) {
        saved.assign(x);
        return saved;
    }

    /** Room for one vector's worth of temporaries, overwritten by whoever uses it next. */
    ParamVector scratch() {
        return scratch;
    }
}
