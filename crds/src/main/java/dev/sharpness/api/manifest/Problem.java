package dev.sharpness.api.manifest;

/**
 * One thing wrong with a manifest.
 *
 * @param path the JSON property path of the field ({@code spec.optimizer.base.betas[1]}), or null
 *     when the problem is about the document as a whole
 * @param message what was expected and what was there
 */
record Problem(String path, String message) {

    /** The same problem, saying which {@code --set} put the value there. */
    Problem from(String override) {
        return new Problem(path, message + " (from --set " + override + ")");
    }

    @Override
    public String toString() {
        return path == null ? message : path + ": " + message;
    }
}
