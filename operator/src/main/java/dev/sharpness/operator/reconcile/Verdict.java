package dev.sharpness.operator.reconcile;

import dev.sharpness.api.v1alpha1.Phase;

/**
 * What {@link Lifecycle} decided the job is now, in the words the conditions need: {@link
 * ConditionTable} derives every condition from it.
 *
 * @param phase the job's phase from now on
 * @param reason why (a condition reason of {@code Constants})
 * @param message the phase's headline condition's message (Failed's for a failure, ...)
 * @param detail what the other conditions the phase sets false say (PodsReady's "the job failed",
 *     Restarting's "attempt 3 running"); null where the phase sets none
 * @param stall the message of a progress deadline that caused this verdict, else null
 */
record Verdict(Phase phase, String reason, String message, String detail, String stall) {}
