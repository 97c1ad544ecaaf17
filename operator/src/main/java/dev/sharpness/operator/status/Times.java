package dev.sharpness.operator.status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Status times are RFC 3339 strings at whole seconds, as Kubernetes writes its own. */
public final class Times {
    private Times() {}

    public static String format(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public static Instant parse(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
