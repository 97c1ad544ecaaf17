package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How a SAMPa pair exchanges gradients (SAMPa only; defaults apply when absent). */
public class CommunicationSpec {
    /** Number format of gradients on the wire. */
    public enum Precision {
        /** Bit-exact: both workers keep identical parameters. */
        @JsonProperty("fp32")
        FP32,
        /**
         * Half the bytes, rounded to bfloat16: not bit-exact against fp32, but both workers step
         * along the same rounded gradients, so the replicas stay identical.
         */
        @JsonProperty("bf16")
        BF16
    }

    @Default("50051")
    @Min(1024)
    @Max(65535)
    @JsonPropertyDescription("Port rank 0 serves the exchange on.")
    private int port = 50051;

    @Default("fp32")
    @JsonPropertyDescription("fp32 (bit-exact, default) or bf16 (half the bytes, not bit-exact).")
    private Precision precision = Precision.FP32;

    @Default("300")
    @Min(1)
    @Max(86400)
    @JsonPropertyDescription(
            "Longest wait for the peer (pairing, each gradient swap); past it the worker exits 3.")
    private int exchangeTimeoutSeconds = 300;

    @Default("100")
    @Min(1)
    @JsonPropertyDescription("Steps between checks that both workers hold identical parameters.")
    private int checksumEverySteps = 100;

    @Min(1)
    @Max(16)
    @JsonPropertyDescription(
            "Exchange streams each rank offers, 1 to 16: connections that each carry a slice of"
                    + " every gradient on their own threads; the pair uses the fewer of both"
                    + " ranks'. The parameters are the same bit for bit whatever the number."
                    + " Default: one per two cores of the worker's CPU request (or of the cores it"
                    + " may use), 1 to 8.")
    private Integer streams;

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public Precision getPrecision() {
        return precision;
    }

    public void setPrecision(Precision precision) {
        this.precision = precision;
    }

    public int getExchangeTimeoutSeconds() {
        return exchangeTimeoutSeconds;
    }

    public void setExchangeTimeoutSeconds(int exchangeTimeoutSeconds) {
        this.exchangeTimeoutSeconds = exchangeTimeoutSeconds;
    }

    public int getChecksumEverySteps() {
        return checksumEverySteps;
    }

    public void setChecksumEverySteps(int checksumEverySteps) {
        this.checksumEverySteps = checksumEverySteps;
    }

    /** The exchange streams the spec asks for, or null for the default from the cores. */
    public Integer getStreams() {
        return streams;
    }

    public void setStreams(Integer streams) {
        this.streams = streams;
    }
}
