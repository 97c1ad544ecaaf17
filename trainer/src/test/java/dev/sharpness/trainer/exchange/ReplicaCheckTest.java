package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReplicaCheckTest {
    private static final Identity IDENTITY = Loopback.identity(64);

    @Test
    void equalChecksumsPassOnBothRanks() throws Exception {
        byte[] checksum = sha256("parameters at step 100");
        try (Loopback.Pair pair = Loopback.Pair.open(IDENTITY, WirePrecision.FP32)) {
            Future<?> atRank0 = pair.onRank0(() -> pair.rank0.verifyReplicas(100, checksum));

            assertThatCode(() -> pair.rank1.verifyReplicas(100, checksum.clone()))
                    .doesNotThrowAnyException();
            atRank0.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void differentChecksumsFailBothRanksNamingBoth() throws Exception {
        byte[] rank0Checksum = {(byte) 0xab, (byte) 0xcd};
        byte[] rank1Checksum = {(byte) 0xab, (byte) 0xce};
        String message = "the replicas differ at step 7: rank 0 has checksum abcd, rank 1 has abce";
        try (Loopback.Pair pair = Loopback.Pair.open(IDENTITY, WirePrecision.FP32)) {
            Future<?> atRank0 = pair.onRank0(() -> pair.rank0.verifyReplicas(7, rank0Checksum));

            assertThatThrownBy(() -> pair.rank1.verifyReplicas(7, rank1Checksum))
                    .isInstanceOf(ReplicaMismatchException.class)
                    .hasMessage(message);
            assertThatThrownBy(() -> atRank0.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ReplicaMismatchException.class)
                    .hasMessage(message);
        }
    }

    @Test
    void aChecksumWhereAGradientIsDueIsAProtocolError() throws Exception {
        try (Loopback.Pair pair = Loopback.Pair.open(IDENTITY, WirePrecision.FP32)) {
            Future<?> atRank0 = pair.onRank0(() -> pair.rank0.verifyReplicas(3, new byte[32]));

            assertThatThrownBy(() -> pair.rank1.swap(3, new byte[4 * 64]))
                    .isInstanceOf(ExchangeProtocolException.class)
                    .hasMessage(
                            "expected the gradient for step 3 from rank 0, got the checksum for"
                                    + " step 3");
            assertThatThrownBy(() -> atRank0.get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(ExchangeProtocolException.class)
                    .hasMessage(
                            "expected the checksum for step 3 from rank 1, got the gradient for"
                                    + " step 3");
        }
    }

    private static byte[] sha256(String text) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes());
    }
}
