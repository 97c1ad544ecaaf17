package dev.sharpness.trainer.cli;

import dev.sharpness.api.manifest.ManifestException;
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
 * The trainer's exit codes, which the operator acts on: 2 = invalid configuration or data (do not
 * retry), 3 = peer lost or exchange timeout (retry the pair), 4 = training diverged (do not retry),
 * 5 = the replicas disagree, 1 = anything unexpected, 143 = stopped by SIGTERM after a checkpoint
 * (128 + 15, as the shell reports a process ended by the signal; `run` stopped by SIGINT exits
 * 130).
 */
final class ExitCodes implements IExecutionExceptionHandler {
    static final int OK = 0;
    static final int UNEXPECTED = 1;
    static final int INVALID = 2;
    static final int PEER_LOST = 3;
    static final int DIVERGED = 4;
    static final int REPLICAS_DISAGREE = 5;
    static final int TERMINATED = 143;

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
        if (e instanceof ManifestException
                || e instanceof DataException
                || e instanceof CheckpointException
                || e instanceof InvalidJobException) {
            return INVALID;
        }
        if (e instanceof ExchangeMismatchException) {
            return INVALID;
        }
        if (e instanceof PeerLostException) {
            return PEER_LOST;
        }
        if (e instanceof DivergedException) {
            return DIVERGED;
        }
        if (e instanceof ReplicaMismatchException) {
            return REPLICAS_DISAGREE;
        }
        if (e instanceof StoppedException) {
            return TERMINATED;
        }
        return UNEXPECTED;
    }
}
