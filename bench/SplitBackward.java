// bench/split_backward_check.py's question asked of the trainer's own engine and networks: does a
// backward pass split at a block of the network give the gradients of one backward, bit for bit?
// The first half runs from the loss down to the cut, whose activation is detached and made a leaf
// that requires a gradient (GradientCollector.backward); the second from that activation's
// gradient down (DJL's JniUtils.backward). Cuts before every top-level block but the first whose
// input needs no gradient. Prints a line per cut, exits 1 on a difference.
// Usage: java -Dai.djl.offline=true -cp "trainer/target/sam-trainer.jar:trainer/target/lib/*" \
//            bench/SplitBackward.java [ARCHITECTURE...]   (default RESNET20 WRN_28_2)
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;

import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.trainer.model.Models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class SplitBackward {
    private static final Shape INPUT = new Shape(16, 3, 32, 32);

    public static void main(String[] args) {
        List<String> architectures =
                args.length > 0 ? List.of(args) : List.of("RESNET20", "WRN_28_2");
        boolean differs = false;
        for (String architecture : architectures) {
            differs |= !check(ModelSpec.Architecture.valueOf(architecture));
        }
        System.exit(differs ? 1 : 0);
    }

    private static boolean check(ModelSpec.Architecture architecture) {
        boolean allEqual = true;
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            Block net = Models.build(architecture, 3, 32, 10);
            net.initialize(manager, DataType.FLOAT32, INPUT);
            ParameterStore store = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(INPUT);
            long[] labels = new long[(int) INPUT.get(0)];
            Arrays.setAll(labels, i -> i % 10);
            NDList y = new NDList(manager.create(labels));
            List<Block> blocks = new ArrayList<>(((SequentialBlock) net).getChildren().values());
            Loss loss = Loss.softmaxCrossEntropyLoss();

            try (NDManager pass = manager.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(
                        loss.evaluate(y, forward(store, blocks, 0, blocks.size(), new NDList(x))));
            }
            List<float[]> whole = takeGradients(net);

            for (int cut = 1; cut < blocks.size(); cut++) {
                int ready = 0;
                try (NDManager pass = manager.newSubManager();
                        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray below =
                            forward(store, blocks, 0, cut, new NDList(x)).singletonOrThrow();
                    if (blocks.subList(0, cut).stream()
                            .allMatch(b -> b.getParameters().isEmpty())) {
                        continue; // no weights below the cut: nothing to split
                    }
                    NDArray leaf = below.stopGradient();
                    leaf.setRequiresGradient(true);
                    collector.backward(
                            loss.evaluate(
                                    y,
                                    forward(store, blocks, cut, blocks.size(), new NDList(leaf))));
                    for (Parameter p : net.getParameters().values()) {
                        NDArray array = p.getArray();
                        if (array.hasGradient()
                                && array.getGradient().abs().sum().getFloat() != 0) {
                            ready++; // what a swap could already be sending
                        }
                    }
                    JniUtils.backward(
                            (PtNDArray) below, (PtNDArray) leaf.getGradient(), false, false);
                }
                List<float[]> split = takeGradients(net);
                boolean equal = split.size() == whole.size();
                for (int i = 0; equal && i < whole.size(); i++) {
                    equal = Arrays.equals(whole.get(i), split.get(i));
                }
                allEqual &= equal;
                System.out.printf(
                        "%s, cut before block %d of %d: %d of %d gradients ready before the lower"
                            + " backward; bitwise equal: %s%n",
                        architecture, cut, blocks.size(), ready, whole.size(), equal);
            }
        }
        return allEqual;
    }

    private static NDList forward(
            ParameterStore store, List<Block> blocks, int from, int to, NDList input) {
        NDList h = input;
        for (int i = from; i < to; i++) {
            h = blocks.get(i).forward(store, h, true);
        }
        return h;
    }

    private static List<float[]> takeGradients(Block net) {
        List<float[]> gradients = new ArrayList<>();
        for (Parameter p : net.getParameters().values()) {
            NDArray array = p.getArray();
            if (array.hasGradient()) {
                gradients.add(array.getGradient().toFloatArray());
                JniUtils.zeroGrad((PtNDArray) array);
            }
        }
        return gradients;
    }
}
