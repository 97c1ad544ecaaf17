package dev.sharpness.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.ModelSpec.Architecture;
import dev.sharpness.trainer.training.Network;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PyTorch names of every tensor of the trainer's networks, checked kind by kind. */
class TorchNamesTest {
    @Test
    void resNet20TensorsGetTheNamesOfTheEquivalentModule() {
        try (NDManager manager = NDManager.newBaseManager();
                Network net = Network.create(Architecture.RESNET20, 3, 8, 10, 1, manager)) {
            Map<String, String> names =
                    TorchNames.of(Architecture.RESNET20, new ArrayList<>(net.tensors().keySet()));
            assertThat(names.values())
                    .startsWith("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean")
                    .contains(
                            "layer1.2.conv2.weight",
                            "layer2.0.shortcut.0.weight",
                            "layer3.0.shortcut.1.running_var")
                    .doesNotContain("layer1.0.shortcut.0.weight", "layer2.1.shortcut.0.weight")
                    .endsWith("fc.weight", "fc.bias");
            names.forEach(
                    (trainer, torch) -> {
                        if (torch.equals("layer2.0.shortcut.0.weight")) {
                            assertThat(net.tensors().get(trainer).getShape().getShape())
                                    .containsExactly(32, 16, 1, 1);
                        }
                    });
        }
    }

    @Test
    void exportableNamesExactlyTheArchitecturesWithAPyTorchEquivalent() {
        for (Architecture architecture : Architecture.values()) {
            Throwable refused =
                    catchThrowable(() -> TorchNames.of(architecture, java.util.List.of()));
            boolean unknown =
                    refused != null
                            && TorchNames.notExportable(architecture).equals(refused.getMessage());
            assertThat(TorchNames.exportable(architecture))
                    .as("%s", architecture)
                    .isNotEqualTo(unknown);
        }
    }

    @Test
    void wideResNetsAreRefusedNamingWhatIsKnown() {
        assertThatThrownBy(() -> TorchNames.of(Architecture.WRN_28_2, java.util.List.of()))
                .hasMessageContaining("mlp, cnn and the CIFAR ResNets");
    }
}
