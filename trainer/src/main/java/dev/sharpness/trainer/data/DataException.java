package dev.sharpness.trainer.data;

import java.nio.file.Path;

/**
 * The training data cannot be used as given. The message always starts with what is wrong: the
 * absolute path of the file or directory, or the manifest field (such as {@code
 * spec.dataset.path}), followed by what was expected and what was found.
 */
public final class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A problem with a file or directory, named by its absolute path. */
    public DataException(Path file, String problem) {
        super(file.toAbsolutePath() + ": " + problem);
    }

    /** A problem with a file or directory that surfaced as an exception, kept as the cause. */
    public DataException(Path file, String problem, Throwable cause) {
        super(file.toAbsolutePath() + ": " + problem, cause);
    }

    /** A problem with a manifest field, named by its path from the manifest root. */
    public DataException(String field, String problem) {
        super(field + ": " + problem);
    }
}
