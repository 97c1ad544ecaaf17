package dev.sharpness.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Everything needed to continue a run exactly: where the run stands ({@code position}, as JSON-able
 * metadata) and every state tensor by name (model parameters, BatchNorm buffers, optimizer and
 * method state).
 *
 * @param step global step the run continues from
 * @param position the training loop's own record of where it stands, opaque to the store
 * @param tensors state tensors by stable name
 */
public record Checkpoint(long step, byte[] position, Map<String, NDArray> tensors) {}
