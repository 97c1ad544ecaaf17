package dev.sharpness.trainer.training;

/**
 * Test-only fault injection, not a user feature: with the system property {@value #PROPERTY}=N a
 * process takes its loss at step N for NaN, as a rank whose loss overflows first would. No honest
 * setting makes one rank of a pair diverge at a chosen step; this is how the tests show that the
 * other rank then reports the divergence too (exit code 4), not a lost peer.
 */
final class DivergenceFault {
    static final String PROPERTY = "sam.test.divergeAtStep";

    private DivergenceFault() {}

    /** The step whose loss to take for NaN, or -1 (the normal case). */
    static long step() {
        return Long.getLong(PROPERTY, -1L);
    }
}
