package dev.sharpness.trainer.model;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import java.util.List;

/** A residual connection: a branch and its shortcut read the same input, and their outputs add. */
final class Residual {
    private Residual() {}

    /**
     * Joins a branch and its shortcut.
     *
     * @param branch the block that learns the residual
     * @param shortcut identity, or a projection where the branch changes the shape
     */
    static Block of(Block branch, Block shortcut) {
        return new ParallelBlock(
                outputs ->
                        new NDList(
                                outputs.get(0)
                                        .singletonOrThrow()
                                        .add(outputs.get(1).singletonOrThrow())),
                List.of(branch, shortcut));
    }
}
