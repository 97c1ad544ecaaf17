package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.HandshakeRequest;
import dev.sharpness.api.exchange.v1.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The handshake: what rank 1 says about itself, and what rank 0 finds different in it. */
final class Handshakes {
    /**
     * Bumped on any incompatible change of the protocol's meaning. 2: a gradient's slice travels
     * from its end towards its start, and only stream 0 carries the step's intent.
     */
    static final int PROTOCOL_VERSION = 2;

    private Handshakes() {}

    /** Rank 1's request, offering {@code streams} exchange streams. */
    static HandshakeRequest request(Identity identity, WirePrecision precision, int streams) {
        HandshakeRequest.Builder request =
                HandshakeRequest.newBuilder()
                        .setProtocolVersion(PROTOCOL_VERSION)
                        .setJobUid(identity.jobUid())
                        .setAttempt(identity.attempt())
                        .setSpecHash(identity.specHash())
                        .setElementCount(identity.layout().elementCount())
                        .setPrecision(precision.wire())
                        .setExchangeStreams(streams);
        Layout layout = identity.layout();
        for (int i = 0; i < layout.size(); i++) {
            Parameter.Builder parameter = Parameter.newBuilder().setName(layout.names().get(i));
            for (long dim : layout.shape(i)) {
                parameter.addShape(dim);
            }
            request.addParameters(parameter);
        }
        return request.build();
    }

    /** {@link #request} offering one stream, as a rank 1 from before there were several sends. */
    static HandshakeRequest request(Identity identity, WirePrecision precision) {
        return request(identity, precision, 0);
    }

    /**
     * The streams of a session: the fewer of what rank 0 offers and rank 1 asks (an older rank 1
     * asks for none, which means one). Either side's cores may limit it; neither refuses the pair.
     */
    static int agreedStreams(int rank0Offers, HandshakeRequest rank1) {
        return Math.max(1, Math.min(rank0Offers, rank1.getExchangeStreams()));
    }

    /**
     * Each way rank 1's request differs from rank 0, rank 0's side first; empty when they are a
     * pair.
     */
    static List<String> differences(
            Identity rank0, WirePrecision precision, HandshakeRequest rank1) {
        List<String> differences = new ArrayList<>();
        if (rank1.getProtocolVersion() != PROTOCOL_VERSION) {
            differences.add(
                    differs("protocol version", PROTOCOL_VERSION, rank1.getProtocolVersion()));
        }
        if (!rank0.jobUid().equals(rank1.getJobUid())) {
            differences.add(differs("job uid", rank0.jobUid(), rank1.getJobUid()));
        }
        if (rank0.attempt() != rank1.getAttempt()) {
            differences.add(differs("attempt", rank0.attempt(), rank1.getAttempt()));
        }
        if (!rank0.specHash().equals(rank1.getSpecHash())) {
            differences.add(differs("spec hash", rank0.specHash(), rank1.getSpecHash()));
        }
        if (precision.wire() != rank1.getPrecision()) {
            WirePrecision theirs = WirePrecision.of(rank1.getPrecision());
            differences.add(differs("wire precision", precision, theirs == null ? "none" : theirs));
        }
        layoutDifferences(rank0.layout(), rank1, differences);
        return differences;
    }

    private static void layoutDifferences(
            Layout rank0, HandshakeRequest rank1, List<String> differences) {
        if (rank0.elementCount() != rank1.getElementCount()) {
            differences.add(
                    differs("element count", rank0.elementCount(), rank1.getElementCount()));
        }
        if (rank0.size() != rank1.getParametersCount()) {
            differences.add(differs("parameter count", rank0.size(), rank1.getParametersCount()));
        }
        // The first differing tensor says where the models part; the rest usually follows from it.
        for (int i = 0; i < Math.min(rank0.size(), rank1.getParametersCount()); i++) {
            String name = rank0.names().get(i);
            Parameter theirs = rank1.getParameters(i);
            long[] shape = rank0.shape(i);
            long[] theirShape = theirs.getShapeList().stream().mapToLong(Long::longValue).toArray();
            if (!name.equals(theirs.getName())) {
                differences.add(
                        "parameter %d name '%s' vs '%s'".formatted(i, name, theirs.getName()));
                return;
            }
            if (!Arrays.equals(shape, theirShape)) {
                differences.add(
                        "parameter %d '%s' shape %s vs %s"
                                .formatted(
                                        i, name, Layout.format(shape), Layout.format(theirShape)));
                return;
            }
        }
    }

    private static String differs(String what, Object rank0, Object rank1) {
        return what + " differs: rank 0 has " + rank0 + ", rank 1 has " + rank1;
    }
}
