package dev.sharpness.trainer.exchange;

import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The per-job token every call of the pair carries as {@code authorization: Bearer <token>}: the
 * client side attaches it, the server side refuses calls without it.
 */
final class BearerToken {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String header;

    /** {@code token}: printable ASCII without spaces, as the operator's Secret holds it. */
    BearerToken(byte[] token) {
        if (token == null || token.length == 0) {
            throw new IllegalArgumentException("the exchange token is empty");
        }
        for (byte b : token) {
            if (b < 0x21 || b > 0x7e) {
                throw new IllegalArgumentException(
                        "the exchange token must be printable ASCII without spaces");
            }
        }
        this.header = "Bearer " + new String(token, StandardCharsets.US_ASCII);
    }

    /** Adds the header to every call of a stub. */
    ClientInterceptor attach() {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, header);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /**
     * Refuses, with UNAUTHENTICATED, every call whose header is missing or different, and records
     * the refusal in {@code refusals}.
     */
    ServerInterceptor check(RefusalLog refusals) {
        byte[] expected = header.getBytes(StandardCharsets.US_ASCII);
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String presented = headers.get(AUTHORIZATION);
                byte[] bytes =
                        presented == null
                                ? new byte[0]
                                : presented.getBytes(StandardCharsets.US_ASCII);
                // Constant time: how much of a guess was right must not show in the timing.
                if (MessageDigest.isEqual(expected, bytes)) {
                    return next.startCall(call, headers);
                }
                refusals.refused(
                        call.getMethodDescriptor().getFullMethodName(),
                        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                        presented == null ? "no bearer token" : "wrong bearer token");
                call.close(
                        Status.UNAUTHENTICATED.withDescription("missing or wrong bearer token"),
                        new Metadata());
                return new ServerCall.Listener<>() {};
            }
        };
    }
}
