package dev.sharpness.trainer.cli;

import dev.sharpness.api.manifest.ManifestException;
import dev.sharpness.api.worker.ExitCode;
import dev.sharpness.trainer.checkpoint.CheckpointException;
import dev.sharpness.trainer.checkpoint.CheckpointWriteException;
import dev.sharpness.trainer.data.DataException;
import dev.sharpness.trainer.exchange.ExchangeMismatchException;
import dev.sharpness.trainer.exchange.PeerLostException;
import dev.sharpness.trainer.exchange.ReplicaMismatchException;
import dev.sharpness.trainer.training.DivergedException;
import dev.sharpness.trainer.training.StoppedException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Which {@link ExitCode} of the worker contract each failure ends the process with (the operator
 * acts on them), and the int values the commands return. Exit 1 is anything unexpected; a `run`
 * stopped by SIGINT exits 130 (128 + 2, as a shell reports it).
 */
final class ExitCodes implements IExecutionExceptionHandler {
    static final int OK = ExitCode.OK.code();
    static final int UNEXPECTED = ExitCode.UNEXPECTED.code();
    static final int TERMINATED = ExitCode.TERMINATED.code();

    @Override
    public int handleExecutionException(
            Exception e, CommandLine commandLine, ParseResult parseResult) {
        int code = codeFor(e);
        commandLine.getErr().println("sam-trainer: " + e.getMessage());
        // An unwritable checkpoint is exit 1 too (the run cannot go on; a retry can succeed once
        // there is space), but its message already says all there is: no stack trace.
        if (code == UNEXPECTED && !(e instanceof CheckpointWriteException)) {
            e.printStackTrace(commandLine.getErr());
        }
        return code;
    }

    static int codeFor(Throwable e) {
        return exitCodeFor(e).code();
    }

    static ExitCode exitCodeFor(Throwable e) {
        if (e instanceof ManifestException
                || e instanceof DataException
                || e instanceof CheckpointException
                || e instanceof InvalidJobException) {
            return ExitCode.INVALID;
        }
        if (e instanceof ExchangeMismatchException) {
            return ExitCode.INVALID;
        }
        if (e instanceof PeerLostException) {
            return ExitCode.PEER_LOST;
        }
        if (e instanceof DivergedException) {
            return ExitCode.DIVERGED;
        }
        if (e instanceof ReplicaMismatchException) {
            return ExitCode.REPLICAS_DISAGREE;
        }
        if (e instanceof StoppedException) {
            return ExitCode.TERMINATED;
        }
        return ExitCode.UNEXPECTED;
    }
}
