package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sharpness.api.exchange.v1.Progress;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker's servers listen where they are told: on loopback for a local {@code run} (and every
 * test), so that nothing off this machine reaches a pair that needs nobody else; on every interface
 * in a pod (the default), where rank 1 and the operator come from other addresses.
 */
class ListenAddressTest {
    private static final byte[] TOKEN = Loopback.TOKEN.getBytes(StandardCharsets.US_ASCII);

    @Test
    @Timeout(60)
    void aServerOnLoopbackCannotBeReachedOnThisMachinesOtherAddress() throws IOException {
        InetAddress outside = nonLoopbackAddress().orElse(null);
        assumeTrue(outside != null, "this machine has no address but loopback");
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

        try (ProgressServer server =
                ProgressServer.start(loopback, TOKEN, Progress::getDefaultInstance)) {
            int port = server.port();

            assertThat(connects(InetAddress.getLoopbackAddress(), port)).isTrue();
            assertThatThrownBy(() -> connects(outside, port)).isInstanceOf(ConnectException.class);
        }
    }

    private static boolean connects(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5_000);
            return socket.isConnected();
        }
    }

    /** An IPv4 address of an interface that is up and not loopback, if there is one. */
    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(ListenAddressTest::usable)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
    }

    private static boolean usable(NetworkInterface network) {
        try {
            return network.isUp() && !network.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }
}
