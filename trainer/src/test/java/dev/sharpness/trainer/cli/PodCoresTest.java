package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PodCoresTest {

    @Test
    void aPodIsSizedToItsCpuRequestNotToTheNode() {
        // A GPU pod requesting 4 cores, no CPU limit, on a node of 96: the JVM sees 96.
        assertThat(PodCores.usable("4", 96)).isEqualTo(4);
        // A request above what the JVM may use (a CPU limit, an affinity) cannot add cores.
        assertThat(PodCores.usable("32", 8)).isEqualTo(8);
    }

    @Test
    void withoutARequestTheJvmsCoresCount() {
        assertThat(PodCores.usable(null, 6)).isEqualTo(6); // not run by the operator
        assertThat(PodCores.usable("0", 6)).isEqualTo(6); // the downward API's "no request"
        assertThat(PodCores.usable(" ", 6)).isEqualTo(6);
    }

    @Test
    void anythingButWholeCoresNamesTheVariable() {
        for (String bad : new String[] {"500m", "-1", "two", "1.5"}) {
            assertThatThrownBy(() -> PodCores.usable(bad, 4))
                    .isInstanceOf(InvalidJobException.class)
                    .hasMessage(
                            "SAM_CPU_CORES: expected the pod's CPU request in whole cores (0 for"
                                    + " none), got '"
                                    + bad
                                    + "'");
        }
    }
}
