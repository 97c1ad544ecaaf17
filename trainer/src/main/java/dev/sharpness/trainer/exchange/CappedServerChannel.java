package dev.sharpness.trainer.exchange;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.SocketAddress;
import java.util.List;
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

    /** {@code open} counts the connections this listener holds, across its lifetime. */
    CappedServerChannel(int cap, AtomicInteger open, RefusalLog refusals) {
        this.cap = cap;
        this.open = open;
        this.refusals = refusals;
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
            child.closeFuture().addListener(closed -> open.decrementAndGet());
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
