package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.trainer.exchange.PairExchange;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How many exchange streams a worker offers: the option, else the spec, else the cores. */
class ExchangeStreamsOptionTest {
    private static final Path QUICKSTART = Path.of("../examples/quickstart.yaml");

    @Test
    void theOptionWinsOverTheSpecWhichWinsOverTheCores() {
        RunOptions options = new RunOptions();
        assertThat(options.exchangeStreams(8, null)).isEqualTo(4); // one per two cores
        assertThat(options.exchangeStreams(8, 1)).isEqualTo(1);

        options.exchangeStreams = 2;
        assertThat(options.exchangeStreams(8, 1)).isEqualTo(2);
    }

    @Test
    void theSpecTakesExactlyTheStreamsAPairCanOpen() {
        int most = PairExchange.maxStreams();

        assertThat(load("spec.communication.streams=" + most).getSpec().getCommunication())
                .satisfies(c -> assertThat(c.getStreams()).isEqualTo(most));
        assertThat(load().getSpec().getCommunication().getStreams()).isNull();
        for (int refused : new int[] {0, most + 1}) {
            assertThatThrownBy(() -> load("spec.communication.streams=" + refused))
                    .hasMessageContaining("spec.communication.streams");
        }
    }

    private static SamTrainingJob load(String... overrides) {
        return ManifestLoader.load(QUICKSTART, List.of(overrides));
    }
}
