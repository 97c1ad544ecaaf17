package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Something whose exact state a checkpoint must hold: momentum buffers, counters, a stored
 * direction.
 */
public interface Stateful {
    /**
     * The live state tensors by stable name. A checkpoint saves them; a resume overwrites them in
     * place with the saved values, so the names and shapes must not depend on anything but the spec
     * and the model.
     */
    Map<String, NDArray> stateTensors();
}
