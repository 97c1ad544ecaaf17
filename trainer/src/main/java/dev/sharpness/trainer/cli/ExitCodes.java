package dev.sharpness.trainer.cli;

import dev.sharpness.api.manifest.ManifestException;
import dev.sharpness.trainer.checkpoint.CheckpointException;
import dev.sharpness.trainer.data.DataException;
import dev.sharpness.trainer.training.DivergedException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The trainer's exit codes, which the operator acts on: 2 = invalid configuration or data (do not
 * retry), 4 = training diverged (do not retry), 1 = anything unexpected.
 */
final class ExitCodes implements IExecutionExceptionHandler {
    static final int OK = 0;
    static final int UNEXPECTED = 1;
    static final int INVALID = 2;
    static final int DIVERGED = 4;

    @Override
    public int handleExecutionException(
            Exception e, CommandLine commandLine, ParseResult parseResult) {
        int code = codeFor(e);
        commandLine.getErr().println("sam-trainer: " + e.getMessage());
        if (code == UNEXPECTED) {
            e.printStackTrace(commandLine.getErr());
        }
        return code;
    }

    static int codeFor(Throwable e) {
        if (e instanceof ManifestException
                || e instanceof DataException
                || e instanceof CheckpointException
                || e instanceof InvalidJobException) {
            return INVALID;
        }
        if (e instanceof DivergedException) {
            return DIVERGED;
        }
        return UNEXPECTED;
    }
}
