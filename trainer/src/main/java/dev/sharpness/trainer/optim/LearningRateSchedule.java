package dev.sharpness.trainer.optim;

import dev.sharpness.api.v1alpha1.ScheduleSpec;

/**
 * The learning rate of global step t, driven by the trainer's own step counter (never by an
 * optimizer's update count: SAM calls the update machinery more than once per step).
 */
public final class LearningRateSchedule {
    private final ScheduleSpec spec;
    private final double peak;
    private final int stepsPerEpoch;
    private final long totalSteps;
    private final double warmupSteps;

    public LearningRateSchedule(ScheduleSpec spec, double peak, int stepsPerEpoch, int epochs) {
        this.spec = spec;
        this.peak = peak;
        this.stepsPerEpoch = stepsPerEpoch;
        this.totalSteps = (long) stepsPerEpoch * epochs;
        this.warmupSteps = spec.getWarmupEpochs() * stepsPerEpoch;
    }

    /** Learning rate for global step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long epoch = step / stepsPerEpoch;
        return switch (spec.getType()) {
            case CONSTANT -> peak;
            case STEP -> peak * Math.pow(spec.getGamma(), milestonesPassed(epoch));
            case COSINE -> {
                long t =
                        spec.getPer() == ScheduleSpec.Granularity.EPOCH
                                ? epoch * stepsPerEpoch
                                : step;
                double progress = Math.max(0, (t - warmupSteps) / (totalSteps - warmupSteps));
                yield peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
            }
        };
    }

    private int milestonesPassed(long epoch) {
        int passed = 0;
        for (int milestone : spec.getMilestones()) {
            if (epoch >= milestone) {
                passed++;
            }
        }
        return passed;
    }
}
