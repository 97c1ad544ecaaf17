package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.trainer.checkpoint.CheckpointWriteException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class CheckpointWriteExitTest {

    @Command(name = "worker")
    static final class FailsToCheckpoint implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new CheckpointWriteException(
                    "cannot write checkpoint /runs/x/checkpoints/step-000000000100.ckpt: no space"
                            + " left on device",
                    new IOException("No space left on device"));
        }
    }

    @Test
    void aCheckpointThatCannotBeWrittenExitsOneWithOneLineAndNoStackTrace() {
        StringWriter err = new StringWriter();
        CommandLine command =
                new CommandLine(new FailsToCheckpoint())
                        .setExecutionExceptionHandler(new ExitCodes())
                        .setErr(new PrintWriter(err, true));

        assertThat(command.execute()).isEqualTo(ExitCodes.UNEXPECTED);
        assertThat(err.toString())
                .isEqualTo(
                        "sam-trainer: cannot write checkpoint"
                                + " /runs/x/checkpoints/step-000000000100.ckpt: no space left on"
                                + " device"
                                + System.lineSeparator());
    }
}
