package dev.sharpness.trainer.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code sam-trainer bench socket-swap}: the floor for the pair exchange: two processes swap {@code
 * BYTES} bytes in both directions at once over one plain TCP connection, many times, with nothing
 * on top (no framing, no encoding, no flow control beyond TCP's). Each side runs one thread that
 * writes and reads on a non-blocking socket, sleeping in a selector when it can do neither, as the
 * exchange's transport does. Run one side with {@code serve} and the other with {@code connect},
 * each pinned where the pair's ranks run; each prints one JSON line with its per-swap times.
 */
@Command(
        name = "socket-swap",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark: swap BYTES both ways over one plain TCP connection between two processes;"
                    + " run once with serve and once with connect, each prints one JSON line."
        })
public final class SocketSwap extends SwapSide implements Callable<Integer> {

    @Override
    public Integer call() throws IOException {
        try (SocketChannel channel = serve() ? accept(host, port) : connect(host, port)) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SwapReport report = new SwapReport(side, bytes, swaps);
            run(channel, bytes, warmup, report);
            out().println(report.json());
        }
        return 0;
    }

    /** Swaps {@code warmup} untimed times, then as many timed times as the report holds. */
    static void run(SocketChannel channel, int bytes, int warmup, SwapReport report)
            throws IOException {
        ByteBuffer out = ByteBuffer.allocateDirect(bytes);
        ByteBuffer in = ByteBuffer.allocateDirect(bytes);
        for (int i = 0; i < bytes; i++) {
            out.put(i, (byte) i);
        }
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            SelectionKey key = channel.register(selector, 0);
            for (int i = -warmup; i < report.swaps(); i++) {
                if (i == 0) {
                    report.start();
                }
                long start = System.nanoTime();
                swap(channel, selector, key, out.clear(), in.clear());
                if (i >= 0) {
                    report.swap(i, System.nanoTime() - start);
                }
            }
            report.stop();
        }
    }

    private static void swap(
            SocketChannel channel,
            Selector selector,
            SelectionKey key,
            ByteBuffer out,
            ByteBuffer in)
            throws IOException {
        while (out.hasRemaining() || in.hasRemaining()) {
            boolean progressed = false;
            if (out.hasRemaining() && channel.write(out) > 0) {
                progressed = true;
            }
            if (in.hasRemaining()) {
                int read = channel.read(in);
                if (read < 0) {
                    throw new IOException("the peer closed the connection");
                }
                progressed |= read > 0;
            }
            if (!progressed) {
                key.interestOps(
                        (out.hasRemaining() ? SelectionKey.OP_WRITE : 0)
                                | (in.hasRemaining() ? SelectionKey.OP_READ : 0));
                selector.select();
                selector.selectedKeys().clear();
            }
        }
    }

    private static SocketChannel accept(String host, int port) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(host, port));
            return server.accept();
        }
    }

    private static SocketChannel connect(String host, int port) throws IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                return SocketChannel.open(new InetSocketAddress(host, port));
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
