package dev.sharpness.api.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.Mark;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;
import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a {@code SamTrainingJob} manifest as the trainer runs it: one YAML document, {@code --set}
 * overrides applied, bound strictly and validated against the CRD's own annotations. Every problem
 * found is reported together in one {@link ManifestException}.
 */
public final class ManifestLoader {
    /**
     * The largest manifest read, in bytes: 1 MiB, what a ConfigMap (the trainer's copy of the job
     * in a cluster) can hold. Larger ones are refused before parsing, which is not linear in the
     * length of a line.
     */
    public static final int MAX_BYTES = 1 << 20;

    /** YAML 1.2's spellings of NaN and the infinities (its core schema). */
    private static final Pattern YAML_NON_FINITE =
            Pattern.compile("[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");

    private ManifestLoader() {}

    /**
     * Loads a manifest file.
     *
     * @param overrides {@code PATH=VALUE} strings, PATH dotted from the document root ({@code
     *     spec.training.epochs=1}), VALUE read as YAML; applied in order
     * @throws ManifestException naming the file and every problem
     */
    public static SamTrainingJob load(Path file, List<String> overrides) {
        String source = file.toString();
        String yaml;
        try {
            yaml = read(file, source);
        } catch (IOException e) {
            throw new ManifestException(source, List.of("cannot read the file: " + reason(e)));
        }
        return parse(yaml, source, overrides);
    }

    /**
     * The file's text, refused before it is parsed when it is larger than {@link #MAX_BYTES}. The
     * read is bounded too, for what has no size in advance (a pipe, a device).
     */
    private static String read(Path file, String source) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) > MAX_BYTES) {
            throw tooLarge(source, Files.size(file));
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(source, -1);
        }
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    /**
     * @param size the manifest's size in bytes, or -1 where it was not read to the end
     */
    private static ManifestException tooLarge(String source, long size) {
        String is =
                size < 0 ? "the manifest is larger" : "the manifest is " + size + " bytes, larger";
        return new ManifestException(
                source,
                List.of(
                        is
                                + " than the limit of "
                                + MAX_BYTES
                                + " bytes (1 MiB, what a ConfigMap holds)"));
    }

    /**
     * Reads a manifest from text.
     *
     * @param sourceName what messages call the text, a file name or {@code <stdin>}
     * @throws ManifestException naming the source and every problem
     */
    public static SamTrainingJob parse(String yaml, String sourceName, List<String> overrides) {
        // UTF-8 takes at least one byte per char, so only a text near the limit needs counting.
        if (yaml.length() > MAX_BYTES
                || (yaml.length() > MAX_BYTES / 3
                        && yaml.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES)) {
            throw tooLarge(sourceName, -1);
        }
        JsonNode document = readDocument(yaml, sourceName);
        if (!document.isObject()) {
            throw new ManifestException(
                    sourceName,
                    List.of(
                            "expected a mapping with apiVersion, kind, metadata and spec, got "
                                    + Describe.node(document)));
        }
        ObjectNode tree = (ObjectNode) document;
        List<Problem> problems = new ArrayList<>();
        List<SetOverride> applied = new ArrayList<>();
        for (String text : overrides) {
            try {
                SetOverride override = SetOverride.parse(text);
                // On a copy, so an override that fails half-way leaves no trace in the document.
                ObjectNode changed = tree.deepCopy();
                override.applyTo(changed);
                tree = changed;
                applied.add(override);
            } catch (SetOverride.ProblemException e) {
                problems.add(e.problem());
            }
        }
        removeNulls(tree);
        checkHeader(tree, problems);

        Binder binder = new Binder();
        SamTrainingJob job = binder.bind(tree);
        problems.addAll(binder.problems());
        if (job != null) {
            problems.addAll(SpecValidator.problems(job));
        }
        if (!problems.isEmpty()) {
            throw new ManifestException(
                    sourceName,
                    problems.stream().map(p -> withOrigin(p, applied).toString()).toList());
        }
        return job;
    }

    /**
     * The job as YAML with every default written out and fields in a stable order (declaration
     * order, map keys sorted): what the trainer saves as the run's effective manifest.
     */
    public static String toYaml(SamTrainingJob job) {
        try {
            return ManifestMapper.MAPPER.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a SamTrainingJob cannot be written as YAML", e);
        }
    }

    private static JsonNode readDocument(String yaml, String source) {
        JsonParser parser;
        try {
            parser = ManifestMapper.MAPPER.createParser(yaml);
        } catch (IOException e) {
            throw new IllegalStateException("a parser over a string cannot fail to open", e);
        }
        try {
            JsonNode document = ManifestMapper.MAPPER.readTree(parser);
            if (document == null || document.isMissingNode() || document.isNull()) {
                throw new ManifestException(
                        source, List.of("expected a SamTrainingJob, got an empty document"));
            }
            JsonToken next = parser.nextToken();
            if (next != null && next != JsonToken.VALUE_NULL) {
                throw new ManifestException(
                        source + ":" + parser.currentLocation().getLineNr(),
                        List.of(
                                "expected one YAML document, got a second one (the trainer runs"
                                        + " one job per manifest)"));
            }
            return document;
        } catch (MarkedYAMLException e) {
            throw new ManifestException(
                    source + at(e.getProblemMark()), List.of("not valid YAML: " + reason(e)));
        } catch (JsonProcessingException e) {
            String notFinite = notFinite(parser, e);
            if (notFinite != null) {
                throw new ManifestException(
                        source,
                        List.of(
                                new Problem(FieldPath.of(parser.getParsingContext()), notFinite)
                                        .toString()));
            }
            // Jackson reports a repeated key as a mismatch while building the tree, with the
            // parser at the repeated key's value.
            JsonStreamContext holder = FieldPath.holderOfCurrentValue(parser);
            String key = holder == null ? null : holder.getCurrentName();
            String reason =
                    e instanceof MismatchedInputException && key != null
                            ? "duplicate key " + Describe.quoted(key)
                            : e.getOriginalMessage();
            throw new ManifestException(
                    source + at(e.getLocation()), List.of("not valid YAML: " + reason));
        } catch (IOException e) {
            throw new ManifestException(source, List.of("cannot read: " + reason(e)));
        } finally {
            close(parser);
        }
    }

    /**
     * The problem of a value YAML spells as NaN or an infinity ({@code .nan}, {@code -.inf}), which
     * the parser refuses to read as a number; null when the parser failed on something else.
     */
    static String notFinite(JsonParser parser, JsonProcessingException e) {
        if (e instanceof MarkedYAMLException
                || parser.currentToken() != JsonToken.VALUE_NUMBER_FLOAT) {
            return null;
        }
        String text;
        try {
            text = parser.getText();
        } catch (IOException unreadable) {
            return null;
        }
        return text != null && YAML_NON_FINITE.matcher(text).matches()
                ? "expected a finite number, got " + text
                : null;
    }

    /** SnakeYAML's problem, and what it was parsing where that started on another line. */
    private static String reason(MarkedYAMLException e) {
        if (e.getContext() == null) {
            return e.getProblem();
        }
        Mark start = e.getContextMark();
        boolean elsewhere =
                start != null
                        && (e.getProblemMark() == null
                                || start.getLine() != e.getProblemMark().getLine());
        return e.getProblem()
                + " ("
                + e.getContext()
                + (elsewhere ? " that starts at line " + (start.getLine() + 1) : "")
                + ")";
    }

    private static String at(Mark mark) {
        return mark == null ? "" : ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1
                ? ""
                : ":" + location.getLineNr() + ":" + location.getColumnNr();
    }

    /**
     * Drops fields whose value is null ({@code training:} with nothing after it), as the API server
     * prunes them before applying defaults: a null section means the default section.
     */
    private static void removeNulls(JsonNode node) {
        if (node.isObject()) {
            Iterator<JsonNode> values = node.elements();
            while (values.hasNext()) {
                JsonNode value = values.next();
                if (value.isNull()) {
                    values.remove();
                } else {
                    removeNulls(value);
                }
            }
        } else if (node.isArray()) {
            node.forEach(ManifestLoader::removeNulls);
        }
    }

    /**
     * The custom resource class fixes apiVersion and kind itself and ignores the document's, so
     * they are checked here, on the document, and left out of the binding.
     */
    private static void checkHeader(ObjectNode tree, List<Problem> problems) {
        checkHeaderField(tree, "apiVersion", Constants.API_VERSION, problems);
        checkHeaderField(tree, "kind", Constants.KIND, problems);
    }

    private static void checkHeaderField(
            ObjectNode tree, String field, String expected, List<Problem> problems) {
        JsonNode value = tree.remove(field);
        if (value == null) {
            problems.add(new Problem(field, "required (" + expected + ")"));
        } else if (!value.isTextual() || !expected.equals(value.textValue())) {
            problems.add(
                    new Problem(field, "expected " + expected + ", got " + Describe.node(value)));
        }
    }

    /** Says which {@code --set} put the value a problem is about there, the last one if several. */
    private static Problem withOrigin(Problem problem, List<SetOverride> overrides) {
        for (int i = overrides.size() - 1; i >= 0; i--) {
            if (overrides.get(i).covers(problem.path())) {
                return problem.from(overrides.get(i).text());
            }
        }
        return problem;
    }

    private static void close(JsonParser parser) {
        try {
            parser.close();
        } catch (IOException e) {
            throw new IllegalStateException("closing a parser over a string cannot fail", e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
