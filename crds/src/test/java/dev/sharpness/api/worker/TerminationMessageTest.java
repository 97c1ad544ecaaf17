package dev.sharpness.api.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The termination message as both sides read and write it. */
class TerminationMessageTest {

    @Test
    void eachKindReadsBackAsWritten() throws Exception {
        TerminationMessage finished =
                new TerminationMessage.Finished(
                        "pair", "SAMPa", 2, 3, 120L, 0.4, 0.85, null, 0.8645, null, 2, 36.0,
                        "abc123");
        TerminationMessage stopped = new TerminationMessage.Stopped(42, "/ckpt/step-42.ckpt");
        TerminationMessage failed = new TerminationMessage.Failed(4, "loss is NaN at step 7");

        for (TerminationMessage message : new TerminationMessage[] {finished, stopped, failed}) {
            assertThat(TerminationMessage.parse(message.toJson())).contains(message);
        }
    }

    @Test
    void theJsonKeepsTheKeysTheWorkersHaveAlwaysWritten() {
        assertThat(new TerminationMessage.Stopped(42, null).toJson())
                .isEqualTo("{\"stopped\":true,\"step\":42}");
        assertThat(new TerminationMessage.Failed(2, "bad").toJson())
                .isEqualTo("{\"exitCode\":2,\"error\":\"bad\"}");
        assertThat(
                        new TerminationMessage.Finished(
                                        null, null, null, null, 120L, null, null, null, 0.5, null,
                                        null, null, null)
                                .toJson())
                .isEqualTo("{\"steps\":120,\"testAccuracy\":0.5}");
    }

    @Test
    void aSummaryWithMoreFieldsThanTheResultIsStillAResult() throws Exception {
        String summary =
                "{\"job\":\"pair\",\"steps\":120,\"testAccuracy\":0.86,"
                        + "\"exchange\":{\"swaps\":120},\"meanStepMillis\":3.5}";

        assertThat(TerminationMessage.parse(summary))
                .get()
                .isInstanceOfSatisfying(
                        TerminationMessage.Finished.class,
                        f -> {
                            assertThat(f.steps()).isEqualTo(120L);
                            assertThat(f.testAccuracy()).isEqualTo(0.86);
                        });
    }

    @Test
    void noMessageIsNoMessage() throws Exception {
        assertThat(TerminationMessage.parse(null)).isEmpty();
        assertThat(TerminationMessage.parse("  \n")).isEmpty();
    }

    @Test
    void textThatIsNotJsonIsMalformedAndQuoted() {
        assertThatThrownBy(() -> TerminationMessage.parse("{\"steps\":12"))
                .isInstanceOf(MalformedTerminationMessageException.class)
                .hasMessage(
                        "the termination message is malformed: it is not JSON (it begins:"
                                + " {\"steps\":12)");
    }

    @Test
    void jsonOfNoKindIsMalformed() {
        assertThatThrownBy(() -> TerminationMessage.parse("[1, 2]"))
                .hasMessageContaining("it is not a JSON object");
        assertThatThrownBy(() -> TerminationMessage.parse("{\"accuracy\":0.9}"))
                .hasMessageContaining("it has none of \"steps\", \"stopped\" or \"exitCode\"");
    }

    @Test
    void aFieldOfTheWrongTypeIsMalformedAndNamed() {
        assertThatThrownBy(() -> TerminationMessage.parse("{\"steps\":\"many\"}"))
                .isInstanceOf(MalformedTerminationMessageException.class)
                .hasMessageContaining("field \"steps\" has the wrong type");
        assertThatThrownBy(() -> TerminationMessage.parse("{\"exitCode\":2.5,\"error\":\"x\"}"))
                .hasMessageContaining("field \"exitCode\" has the wrong type");
        assertThatThrownBy(() -> TerminationMessage.parse("{\"stopped\":true}"))
                .as("a stop without its step")
                .hasMessageContaining("field \"step\"");
    }

    @Test
    void aLongQuoteIsCutShort() {
        String text = "x".repeat(500);
        assertThatThrownBy(() -> TerminationMessage.parse(text))
                .hasMessageEndingWith("(it begins: " + "x".repeat(80) + "...)");
    }

    @Test
    void anErrorIsCutToFitKubernetesLimit() throws Exception {
        TerminationMessage.Failed failed = new TerminationMessage.Failed(1, "e".repeat(10_000));

        assertThat(failed.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThan(4096);
        assertThat(TerminationMessage.parse(failed.toJson())).contains(failed);
    }
}
