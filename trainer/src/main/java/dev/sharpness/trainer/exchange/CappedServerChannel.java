package dev.sharpness.trainer.exchange;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listening socket that holds at most a fixed number of accepted connections open: one accepted
 * beyond the cap is closed at once, before gRPC sees it, so a flood of connections costs one
 * descriptor each only for an instant.
 */
final class CappedServerChannel extends NioServerSocketChannel {
    private final int cap;
    private final AtomicInteger open;
    private final RefusalLog refusals;
    private final Map<SocketAddress, Channel> byPeer;

    /**
     * {@code open} counts the connections this listener holds, across its lifetime; {@code byPeer}
     * holds each by its peer's address while it is open.
     */
    CappedServerChannel(
            int cap, AtomicInteger open, RefusalLog refusals, Map<SocketAddress, Channel> byPeer) {
        this.cap = cap;
        this.open = open;
        this.refusals = refusals;
        this.byPeer = byPeer;
    }

    @Override
    protected int doReadMessages(List<Object> accepted) throws Exception {
        int before = accepted.size();
        int count = super.doReadMessages(accepted);
        if (count == 0) {
            return 0;
        }
        Channel child = (Channel) accepted.get(before);
        if (open.incrementAndGet() <= cap) {
            ChainedReads.install(child);
            SocketAddress peer = child.remoteAddress();
            byPeer.put(peer, child);
            child.closeFuture()
                    .addListener(
                            closed -> {
                                open.decrementAndGet();
                                byPeer.remove(peer, child);
                            });
            return count;
        }
        open.decrementAndGet();
        accepted.remove(before);
        SocketAddress remote = child.remoteAddress();
        // Not registered with an event loop yet: closing it only closes the socket.
        child.unsafe().closeForcibly();
        refusals.refused("a connection", remote, "already " + cap + " connections open");
        // Nothing for the pipeline this round; the selector reports the next pending connection.
        return 0;
    }
}
