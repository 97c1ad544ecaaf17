// The attacker of bench/exchange-attack.sh, run as a single source file on the trainer's jar:
// opens IDLE silent TCP connections to rank 0 (sending nothing, re-opening each one rank 0 closes)
// and sends STREAMS GetProgress calls without the token, for SECONDS seconds.
// Usage: java -cp sam-trainer.jar bench/ExchangeAttack.java PORT IDLE STREAMS SECONDS
import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.exchange.v1.ProgressRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

public class ExchangeAttack {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int idle = Integer.parseInt(args[1]);
        long streams = Long.parseLong(args[2]);
        long end = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
        AtomicLong reopened = new AtomicLong();
        Thread silent =
                new Thread(
                        () -> {
                            List<Socket> sockets = new ArrayList<>();
                            try {
                                while (System.nanoTime() < end) {
                                    sockets.removeIf(ExchangeAttack::closedByPeer);
                                    while (sockets.size() < idle && System.nanoTime() < end) {
                                        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                                        s.setSoTimeout(1);
                                        sockets.add(s);
                                        reopened.incrementAndGet();
                                    }
                                    Thread.sleep(200);
                                }
                                for (Socket s : sockets) {
                                    s.close();
                                }
                            } catch (Exception e) {
                                System.err.println("silent connections: " + e);
                            }
                        });
        silent.start();
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            channels.add(
                    NettyChannelBuilder.forAddress("127.0.0.1", port)
                            .usePlaintext()
                            .directExecutor()
                            .build());
        }
        Semaphore inFlight = new Semaphore(2000);
        AtomicLong answered = new AtomicLong();
        long sent = 0;
        while (sent < streams && System.nanoTime() < end) {
            inFlight.acquire();
            PairExchangeGrpc.newStub(channels.get((int) (sent % channels.size())))
                    .getProgress(
                            ProgressRequest.getDefaultInstance(),
                            new StreamObserver<Progress>() {
                                public void onNext(Progress p) {}

                                public void onError(Throwable t) {
                                    answered.incrementAndGet();
                                    inFlight.release();
                                }

                                public void onCompleted() {
                                    answered.incrementAndGet();
                                    inFlight.release();
                                }
                            });
            sent++;
        }
        inFlight.acquire(2000);
        silent.join();
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        System.out.printf(
                "attacker: %d unauthenticated calls answered, %d silent connections opened%n",
                answered.get(), reopened.get());
    }

    private static boolean closedByPeer(Socket s) {
        try {
            if (s.getInputStream().read() < 0) {
                s.close();
                return true;
            }
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (Exception e) {
            try {
                s.close();
            } catch (Exception ignored) {
            }
            return true;
        }
    }
}
