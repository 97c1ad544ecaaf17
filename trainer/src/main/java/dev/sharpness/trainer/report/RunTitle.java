package dev.sharpness.trainer.report;

import dev.sharpness.api.v1alpha1.BaseOptimizerSpec;
import dev.sharpness.api.v1alpha1.LookSamSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import java.util.Locale;

/**
 * A run's method and its main settings in a line, for the title of curves.png: e.g. {@code SAM rho
 * 0.05 | SGD lr 0.01 momentum 0.9 | cosine | batch 128}.
 */
final class RunTitle {
    private RunTitle() {}

    static String of(SamTrainingJobSpec spec) {
        OptimizerSpec o = spec.getOptimizer();
        return method(o)
                + " | "
                + base(o.getBase())
                + " | "
                + o.getSchedule().getType().name().toLowerCase(Locale.ROOT)
                + " | batch "
                + spec.getTraining().getBatchSize();
    }

    private static String method(OptimizerSpec o) {
        String rho = " rho " + number(o.getRho());
        return switch (o.getMethod()) {
            case SGD -> "SGD";
            case SAM -> (o.isAdaptive() ? "ASAM" : "SAM") + rho;
            case KSAM ->
                    "K-SAM"
                            + rho
                            + (o.ksamOrDefaults().getTopK() != null
                                    ? " top " + o.ksamOrDefaults().getTopK()
                                    : " top "
                                            + number(100 * o.ksamOrDefaults().getTopFraction())
                                            + "%");
            case LOOKSAM ->
                    lookSam(o.lookSamOrDefaults())
                            + rho
                            + " every "
                            + o.lookSamOrDefaults().getInterval();
            case SAMPA -> "SAMPa" + rho + " lambda " + number(o.sampaOrDefaults().getLambda());
        };
    }

    private static String lookSam(LookSamSpec l) {
        return (l.isLayerwise() ? "Look-LayerSAM" : "LookSAM") + " alpha " + number(l.getAlpha());
    }

    private static String base(BaseOptimizerSpec b) {
        return switch (b.getType()) {
            case SGD ->
                    "SGD lr "
                            + number(b.getLearningRate())
                            + " momentum "
                            + number(b.getMomentum());
            case ADAMW -> "AdamW lr " + number(b.getLearningRate());
        };
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.4g", v).replaceAll("\\.?0+(?=$|e)", "");
    }
}
