package dev.sharpness.api.worker;

/** A termination message that is none of the worker's: the message says what is wrong with it. */
public final class MalformedTerminationMessageException extends Exception {
    private static final int QUOTE_LIMIT = 80;

    public MalformedTerminationMessageException(String text, String why) {
        super("the termination message is malformed: " + why + " (it begins: " + quote(text) + ")");
    }

    private static String quote(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() <= QUOTE_LIMIT ? line : line.substring(0, QUOTE_LIMIT) + "...";
    }
}
