package dev.sharpness.operator.children;

import dev.sharpness.api.v1alpha1.SamTrainingJob;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The Secret {@code <job>-exchange}: a random per-job token. Every call between the pair, and the
 * operator's progress calls, carry it; the trainer refuses others. Created once and never changed.
 */
public final class ExchangeSecret {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ExchangeSecret() {}

    public static Secret desired(SamTrainingJob job) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        return new SecretBuilder()
                .withMetadata(Owners.ownedBy(job, JobNames.secret(job), Owners.jobLabels(job)))
                .withType("Opaque")
                .withImmutable(true)
                .addToData(
                        TrainerPaths.TOKEN_KEY,
                        Base64.getEncoder()
                                .encodeToString(token.getBytes(StandardCharsets.US_ASCII)))
                .build();
    }

    /** The token held by an existing Secret, as the trainer reads it from its file. */
    public static String token(Secret secret) {
        String encoded =
                secret.getData() == null ? null : secret.getData().get(TrainerPaths.TOKEN_KEY);
        if (encoded == null) {
            throw new IllegalStateException(
                    "Secret "
                            + secret.getMetadata().getName()
                            + " has no "
                            + TrainerPaths.TOKEN_KEY);
        }
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.US_ASCII).strip();
    }
}
