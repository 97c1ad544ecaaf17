package dev.sharpness.trainer.training;

import dev.sharpness.trainer.exchange.Layout;
import dev.sharpness.trainer.exchange.PairExchange;
import java.util.function.Function;

/**
 * This process is one rank of a SAMPa pair.
 *
 * @param rank 0 (the x~ worker: writes checkpoints and the run's outputs) or 1 (the y worker)
 * @param connect forms the pair once the model's parameter layout is known
 * @param checksumEverySteps steps between checks that both ranks hold identical parameters
 */
public record PairRole(int rank, Function<Layout, PairExchange> connect, int checksumEverySteps) {}
