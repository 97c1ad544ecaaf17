package dev.sharpness.trainer.export;

import dev.sharpness.api.v1alpha1.ModelSpec.Architecture;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The names the equivalent PyTorch module gives each tensor of a trainer model (docs/export.md
 * defines the modules): {@code fc1.weight} for the MLP, {@code conv1.weight}, {@code
 * bn1.running_mean}, ... for the CNN, {@code layer2.0.shortcut.0.weight} for the CIFAR ResNets.
 *
 * <p>The trainer's tensors come in block order, and so do these names: the two lists are zipped,
 * and the kind of each trainer tensor (weight, bias, gamma, beta, runningMean, runningVar) must be
 * the kind the PyTorch name stands for.
 */
public final class TorchNames {
    private static final String[] BATCH_NORM = {"weight", "bias", "running_mean", "running_var"};
    private static final Map<String, String> KIND =
            Map.of(
                    "weight", "weight",
                    "bias", "bias",
                    "gamma", "weight",
                    "beta", "bias",
                    "runningMean", "running_mean",
                    "runningVar", "running_var");

    /** The architectures whose PyTorch equivalent docs/export.md defines. */
    private static final Set<Architecture> EXPORTABLE =
            EnumSet.of(
                    Architecture.MLP,
                    Architecture.CNN,
                    Architecture.RESNET20,
                    Architecture.RESNET32,
                    Architecture.RESNET56);

    private TorchNames() {}

    /** Whether export knows the PyTorch equivalent of this architecture. */
    public static boolean exportable(Architecture architecture) {
        return EXPORTABLE.contains(architecture);
    }

    /** Why an architecture that is not {@link #exportable} cannot be exported. */
    public static String notExportable(Architecture architecture) {
        return "export knows the PyTorch equivalent of mlp, cnn and the CIFAR ResNets"
                + " (resnet20, resnet32, resnet56), not "
                + architecture;
    }

    /**
     * PyTorch name by trainer name, in the trainer's order.
     *
     * @param trainerNames the network's tensor names, in block order
     * @throws IllegalArgumentException when the architecture is not {@link #exportable} or the
     *     tensors do not match it
     */
    public static Map<String, String> of(Architecture architecture, List<String> trainerNames) {
        List<String> torch = expected(architecture, trainerNames.size());
        if (torch.size() != trainerNames.size()) {
            throw new IllegalArgumentException(
                    "the %s has %d tensors, its PyTorch equivalent %d"
                            .formatted(architecture, trainerNames.size(), torch.size()));
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 0; i < torch.size(); i++) {
            String trainer = trainerNames.get(i);
            String kind = KIND.get(trainer.substring(trainer.lastIndexOf('_') + 1));
            if (kind == null || !torch.get(i).endsWith("." + kind)) {
                throw new IllegalArgumentException(
                        "tensor %s does not match %s of the PyTorch equivalent"
                                .formatted(trainer, torch.get(i)));
            }
            names.put(trainer, torch.get(i));
        }
        return names;
    }

    /** The BatchNorm layers (prefixes such as {@code bn1}) among {@code torchNames}. */
    public static List<String> batchNorms(Iterable<String> torchNames) {
        List<String> layers = new ArrayList<>();
        for (String name : torchNames) {
            if (name.endsWith(".running_var")) {
                layers.add(name.substring(0, name.length() - ".running_var".length()));
            }
        }
        return layers;
    }

    private static List<String> expected(Architecture architecture, int count) {
        List<String> names = new ArrayList<>();
        switch (architecture) {
            case MLP -> {
                linear(names, "fc1");
                linear(names, "fc2");
                linear(names, "fc3");
            }
            case CNN -> {
                names.add("conv1.weight");
                batchNorm(names, "bn1");
                names.add("conv2.weight");
                batchNorm(names, "bn2");
                linear(names, "fc1");
                linear(names, "fc2");
            }
            case RESNET20 -> resNet(names, 3);
            case RESNET32 -> resNet(names, 5);
            case RESNET56 -> resNet(names, 9);
            default -> throw new IllegalArgumentException(notExportable(architecture));
        }
        return names;
    }

    /** CifarResNet: stem, three stages of basic blocks (option-B shortcuts), fc. */
    private static void resNet(List<String> names, int blocksPerStage) {
        names.add("conv1.weight");
        batchNorm(names, "bn1");
        for (int stage = 1; stage <= 3; stage++) {
            for (int i = 0; i < blocksPerStage; i++) {
                String block = "layer" + stage + "." + i;
                names.add(block + ".conv1.weight");
                batchNorm(names, block + ".bn1");
                names.add(block + ".conv2.weight");
                batchNorm(names, block + ".bn2");
                if (stage > 1 && i == 0) {
                    names.add(block + ".shortcut.0.weight");
                    batchNorm(names, block + ".shortcut.1");
                }
            }
        }
        linear(names, "fc");
    }

    private static void linear(List<String> names, String layer) {
        names.add(layer + ".weight");
        names.add(layer + ".bias");
    }

    private static void batchNorm(List<String> names, String layer) {
        for (String kind : BATCH_NORM) {
            names.add(layer + "." + kind);
        }
    }
}
