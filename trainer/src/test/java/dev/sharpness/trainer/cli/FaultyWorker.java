package dev.sharpness.trainer.cli;

import dev.sharpness.trainer.training.Faults;
import dev.sharpness.trainer.training.MethodWrapper;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * A worker process with a fault injected, for the process tests: {@code FaultyWorker FAULT=STEP
 * worker ...} runs {@code sam-trainer worker ...} with its training method wrapped by {@link
 * Faults}. It lives on the test classpath only, which the workers that tests start inherit.
 */
final class FaultyWorker {
    /** Takes the loss at the step for NaN ({@link Faults#divergeAt}). */
    static final String DIVERGE_AT_STEP = "diverge-at-step";

    /** Nudges a parameter after the step ({@link Faults#corruptReplicaAfter}). */
    static final String CORRUPT_REPLICA_AFTER_STEP = "corrupt-replica-after-step";

    private FaultyWorker() {}

    public static void main(String[] args) {
        MethodWrapper fault = fault(args[0]);
        CommandLine line = SamTrainer.commandLine(new PrintWriter(System.err, true));
        WorkerCommand worker = line.getSubcommands().get("worker").getCommand();
        worker.methodWrapper = fault;
        System.exit(line.execute(Arrays.copyOfRange(args, 1, args.length)));
    }

    /**
     * {@code builder}, a worker command of {@link PairLauncher#worker}, run by this class with
     * {@code fault} (one of the constants here) at {@code step}.
     */
    static ProcessBuilder injecting(ProcessBuilder builder, String fault, long step) {
        List<String> command = builder.command();
        int main = command.indexOf(SamTrainer.class.getName());
        if (main < 0) {
            throw new IllegalArgumentException("not a sam-trainer command: " + command);
        }
        command.set(main, FaultyWorker.class.getName());
        command.add(main + 1, fault + "=" + step);
        return builder;
    }

    private static MethodWrapper fault(String setting) {
        String[] parts = setting.split("=", 2);
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected FAULT=STEP, got " + setting);
        }
        long step = Long.parseLong(parts[1]);
        return switch (parts[0]) {
            case DIVERGE_AT_STEP -> Faults.divergeAt(step);
            case CORRUPT_REPLICA_AFTER_STEP -> Faults.corruptReplicaAfter(step);
            default -> throw new IllegalArgumentException("unknown fault: " + parts[0]);
        };
    }
}
