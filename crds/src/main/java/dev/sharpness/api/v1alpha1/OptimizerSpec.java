package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The training method, its sharpness parameters, the base optimizer and the learning-rate schedule.
 */
@ValidationRule(
        value = "self.method == 'SAMPa' || !has(self.sampa)",
        message = "sampa is only allowed with method SAMPa")
@ValidationRule(
        value = "self.method == 'KSAM' || !has(self.ksam)",
        message = "ksam is only allowed with method KSAM")
@ValidationRule(
        value = "self.method == 'LookSAM' || !has(self.lookSam)",
        message = "lookSam is only allowed with method LookSAM")
@ValidationRule(
        value = OptimizerSpec.ONE_PERTURBATION_RULE,
        message = "lookSam.layerwise and adaptive are two different perturbation rules: choose one")
@ValidationRule(
        value = OptimizerSpec.SHARPNESS_NEEDS_A_METHOD,
        message = "sharpnessFrom needs a sharpness-aware method: SGD has none to start")
public class OptimizerSpec {
    /** Look-LayerSAM's perturbation and ASAM's are two rules for the same eps. */
    static final String ONE_PERTURBATION_RULE =
            "!has(self.lookSam) || !has(self.lookSam.layerwise) || !self.lookSam.layerwise"
                    + " || !has(self.adaptive) || !self.adaptive";

    static final String SHARPNESS_NEEDS_A_METHOD =
            "self.method != 'SGD' || !has(self.sharpnessFrom)";

    /** Training methods. ALGORITHMS.md gives each one's exact update. */
    public enum Method {
        /** Plain base optimizer: one gradient per step. */
        SGD,
        /** Sharpness-Aware Minimization: two sequential gradients per step. */
        SAM,
        /** SAM on the k highest-loss samples of each batch. */
        KSAM,
        /** SAM every k-th step, its sharpness direction reused in between. */
        @JsonProperty("LookSAM")
        LOOKSAM,
        /** SAM's two gradients made independent and computed in parallel by a pair of workers. */
        @JsonProperty("SAMPa")
        SAMPA
    }

    @Required
    @JsonPropertyDescription("SGD, SAM, KSAM, LookSAM or SAMPa.")
    private Method method;

    @Default("0.05")
    @Min(0.0)
    @Max(100.0)
    @JsonPropertyDescription(
            "Perturbation radius: 0.05 is typical for CIFAR-10, 0.1 for CIFAR-100, 0.5 with adaptive.")
    private double rho = 0.05;

    @Default("false")
    @JsonPropertyDescription(
            "Adaptive SAM (ASAM): scale the perturbation by |x| + 0.01 elementwise.")
    private boolean adaptive = false;

    @JsonPropertyDescription(
            "SAMPa's mixing weight; only with method SAMPa (defaults apply when absent).")
    private SampaSpec sampa;

    @JsonPropertyDescription("K-SAM's k; only with method KSAM (defaults apply when absent).")
    private KSamSpec ksam;

    @JsonPropertyDescription(
            "LookSAM's interval and alpha; only with method LookSAM (defaults apply when absent).")
    private LookSamSpec lookSam;

    // Left out of the JSON when absent, so that the training identity (a hash of it) of a job
    // written before this field existed does not change.
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyDescription(
            "Sharpness only late in training: the base optimizer alone until this point, then the"
                    + " method (absent: the method from the first step).")
    private SharpnessFromSpec sharpnessFrom;

    @JsonPropertyDescription("The base optimizer that applies each step's direction.")
    private BaseOptimizerSpec base = new BaseOptimizerSpec();

    @JsonPropertyDescription("The learning-rate schedule over the run.")
    private ScheduleSpec schedule = new ScheduleSpec();

    public Method getMethod() {
        return method;
    }

    public void setMethod(Method method) {
        this.method = method;
    }

    public double getRho() {
        return rho;
    }

    public void setRho(double rho) {
        this.rho = rho;
    }

    public boolean isAdaptive() {
        return adaptive;
    }

    public void setAdaptive(boolean adaptive) {
        this.adaptive = adaptive;
    }

    public SampaSpec getSampa() {
        return sampa;
    }

    public void setSampa(SampaSpec sampa) {
        this.sampa = sampa;
    }

    public KSamSpec getKsam() {
        return ksam;
    }

    public void setKsam(KSamSpec ksam) {
        this.ksam = ksam;
    }

    public SharpnessFromSpec getSharpnessFrom() {
        return sharpnessFrom;
    }

    public void setSharpnessFrom(SharpnessFromSpec sharpnessFrom) {
        this.sharpnessFrom = sharpnessFrom;
    }

    public LookSamSpec getLookSam() {
        return lookSam;
    }

    public void setLookSam(LookSamSpec lookSam) {
        this.lookSam = lookSam;
    }

    /** {@link #getSampa()}, or its defaults when absent. */
    public SampaSpec sampaOrDefaults() {
        return sampa != null ? sampa : new SampaSpec();
    }

    /** {@link #getKsam()}, or its defaults when absent. */
    public KSamSpec ksamOrDefaults() {
        return ksam != null ? ksam : new KSamSpec();
    }

    /** {@link #getLookSam()}, or its defaults when absent. */
    public LookSamSpec lookSamOrDefaults() {
        return lookSam != null ? lookSam : new LookSamSpec();
    }

    public BaseOptimizerSpec getBase() {
        return base;
    }

    public void setBase(BaseOptimizerSpec base) {
        this.base = base;
    }

    public ScheduleSpec getSchedule() {
        return schedule;
    }

    public void setSchedule(ScheduleSpec schedule) {
        this.schedule = schedule;
    }
}
