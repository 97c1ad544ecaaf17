package dev.sharpness.api.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a worker leaves in its pod status when it ends (written to {@link
 * WorkerFiles#TERMINATION_LOG}): one flat JSON object, which of three kinds its keys tell. The
 * trainer writes it with {@link #toJson()}, the operator reads it with {@link #parse(String)}.
 */
public sealed interface TerminationMessage {
    /** Kubernetes keeps at most 4096 bytes of a termination message; an error is cut below that. */
    int ERROR_LIMIT = 3000;

    /** Training finished: the run's result (the trainer's summary.json has more). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Finished(
            String job,
            String method,
            Integer workers,
            Integer epochs,
            Long steps,
            Double trainLoss,
            Double trainAccuracy,
            Double validationAccuracy,
            Double testAccuracy,
            Double bestValidationAccuracy,
            Integer bestEpoch,
            Double wallSeconds,
            String parameterChecksum)
            implements TerminationMessage {}

    /**
     * Stopped by SIGTERM at a step boundary; {@code checkpoint} is the file written then, or null.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Stopped(boolean stopped, long step, String checkpoint) implements TerminationMessage {
        public Stopped(long step, String checkpoint) {
            this(true, step, checkpoint);
        }
    }

    /** Failed with {@code exitCode} (an {@link ExitCode}'s, or 1) for the reason {@code error}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Failed(int exitCode, String error) implements TerminationMessage {
        public Failed {
            if (error != null && error.length() > ERROR_LIMIT) {
                error = error.substring(0, ERROR_LIMIT) + "...";
            }
        }
    }

    /** The message as the worker writes it. */
    default String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + this + " as JSON", e);
        }
    }

    /**
     * Reads a message back: empty when there is none (a worker killed before it wrote one).
     *
     * @throws MalformedTerminationMessageException when the text is not one of the three kinds,
     *     saying what is wrong with it
     */
    static Optional<TerminationMessage> parse(String text)
            throws MalformedTerminationMessageException {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedTerminationMessageException(text, "it is not JSON");
        }
        if (!tree.isObject()) {
            throw new MalformedTerminationMessageException(text, "it is not a JSON object");
        }
        Class<? extends TerminationMessage> kind;
        if (tree.has("stopped")) {
            kind = Stopped.class;
        } else if (tree.has("exitCode")) {
            kind = Failed.class;
        } else if (tree.has("steps")) {
            kind = Finished.class;
        } else {
            throw new MalformedTerminationMessageException(
                    text, "it has none of \"steps\", \"stopped\" or \"exitCode\"");
        }
        try {
            return Optional.of(Json.MAPPER.treeToValue(tree, kind));
        } catch (JsonMappingException e) {
            String field =
                    e.getPath().stream()
                            .map(JsonMappingException.Reference::getFieldName)
                            .collect(Collectors.joining("."));
            throw new MalformedTerminationMessageException(
                    text, "field \"" + field + "\" has the wrong type: " + firstClause(e));
        } catch (JsonProcessingException e) {
            throw new MalformedTerminationMessageException(text, e.getOriginalMessage());
        }
    }

    /** Jackson's own words, up to where it starts explaining its internals. */
    private static String firstClause(JsonMappingException e) {
        String message = e.getOriginalMessage();
        int colon = message.indexOf(": ");
        return colon < 0 ? message : message.substring(0, colon);
    }

    /** One mapper for both directions, strict about types, lenient about extra fields. */
    final class Json {
        static final ObjectMapper MAPPER =
                new ObjectMapper()
                        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

        private Json() {}
    }
}
