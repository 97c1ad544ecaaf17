package dev.sharpness.api.manifest;

import java.util.List;

/**
 * A manifest that cannot be used as it is: every problem found, each naming the field, what was
 * expected and what was there.
 */
public final class ManifestException extends RuntimeException {
    private final String source;
    private final List<String> problems;

    /**
     * @param source the manifest's name (a file, or a name given to text), with {@code
     *     :line:column} appended where the problems have one place in the text
     * @param problems one or more lines of the form {@code <field path>: <expected>, got <found>}
     */
    public ManifestException(String source, List<String> problems) {
        super(message(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The manifest's name, with the line and column where the problem has a place in the text. */
    public String source() {
        return source;
    }

    /** Every problem found, in the order found. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String source, List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ManifestException needs at least one problem");
        }
        StringBuilder message = new StringBuilder();
        for (String problem : problems) {
            if (message.length() > 0) {
                message.append('\n');
            }
            // Every line carries the source, as compilers do, so each one stands on its own.
            message.append(source).append(": ").append(problem);
        }
        return message.toString();
    }
}
