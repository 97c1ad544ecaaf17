package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.exchange.v1.ProgressRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rank 0's port under the abuse anyone who reaches it can deal out: silent connections by the
 * hundred, floods of calls without the token, and clients that break HTTP/2's rules on purpose
 * (streams reset as soon as opened, streams beyond the announced limit). Real sockets on loopback
 * against a real rank 0 that has paired; the pair must swap on throughout.
 */
class HostileNetworkTest {
    private static final Identity IDENTITY = Loopback.identity(16);
    private static final int SILENT = 300;

    @Test
    @Timeout(60)
    void silentConnectionsAreCappedThenClosedAtTheHandshakeDeadlineAndThePairSwapsOn()
            throws Exception {
        try (Loopback.Rank0 server = new Loopback.Rank0(IDENTITY)) {
            PairExchange rank1 = server.connect(IDENTITY);
            try (Loopback.Pair pair = new Loopback.Pair(server.exchange(), rank1)) {
                swapOnce(pair, 0);
                int baseline = openDescriptors();
                List<Socket> silent = new ArrayList<>();
                try {
                    for (int i = 0; i < SILENT; i++) {
                        Socket socket = new Socket(InetAddress.getLoopbackAddress(), rank1.port());
                        socket.setSoTimeout(1);
                        silent.add(socket);
                    }
                    long opened = System.nanoTime();
                    // Beyond the cap, rank 0 closes them as it accepts them.
                    awaitClosed(silent, SILENT - ConnectionLimits.DEFAULT.maxConnections(), 5);
                    int held = openDescriptors() - baseline - silent.size();
                    assertThat(held)
                            .as("descriptors rank 0 holds for %d silent connections", SILENT)
                            .isLessThanOrEqualTo(ConnectionLimits.DEFAULT.maxConnections() + 4);
                    swapOnce(pair, 1);

                    // None of them sent the HTTP/2 preface: all are gone by the deadline.
                    awaitClosed(
                            silent,
                            SILENT,
                            ConnectionLimits.DEFAULT.handshakeDeadline().toSeconds() + 5);
                    double took = (System.nanoTime() - opened) / 1e9;
                    assertThat(took)
                            .isGreaterThan(
                                    ConnectionLimits.DEFAULT.handshakeDeadline().toSeconds() - 1);
                } finally {
                    for (Socket socket : silent) {
                        socket.close();
                    }
                }
                assertThat(openDescriptors()).isLessThanOrEqualTo(baseline + 4);
                // The peer's stream outlived the deadline, and the operator still gets answers.
                swapOnce(pair, 2);
                ManagedChannel operator = Loopback.channel(rank1.port());
                try {
                    assertThat(
                                    Loopback.client(operator, Loopback.TOKEN)
                                            .getProgress(ProgressRequest.getDefaultInstance()))
                            .isEqualTo(Progress.getDefaultInstance());
                } finally {
                    Loopback.close(operator);
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void aFloodOfCallsWithoutTheTokenLogsAFewLinesAndAddsFewThreads() throws Exception {
        int channels = 8;
        int callsPerChannel = 250;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int threadsBefore;
        int peakThreads;
        try (Loopback.Rank0 server = new Loopback.Rank0(IDENTITY)) {
            PairExchange rank1 = server.connect(IDENTITY);
            try (Loopback.Pair pair = new Loopback.Pair(server.exchange(), rank1)) {
                swapOnce(pair, 0);
                threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
                peakThreads = threadsBefore;
                List<ManagedChannel> intruders = new ArrayList<>();
                System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
                try {
                    CountDownLatch answered = new CountDownLatch(channels * callsPerChannel);
                    for (int c = 0; c < channels; c++) {
                        // The intruders' callbacks run on gRPC's threads: only rank 0's add any.
                        ManagedChannel channel =
                                NettyChannelBuilder.forAddress("127.0.0.1", rank1.port())
                                        .usePlaintext()
                                        .directExecutor()
                                        .build();
                        intruders.add(channel);
                        PairExchangeGrpc.PairExchangeStub stub = PairExchangeGrpc.newStub(channel);
                        for (int i = 0; i < callsPerChannel; i++) {
                            stub.getProgress(
                                    ProgressRequest.getDefaultInstance(), countDown(answered));
                        }
                    }
                    while (!answered.await(20, TimeUnit.MILLISECONDS)) {
                        peakThreads =
                                Math.max(
                                        peakThreads,
                                        ManagementFactory.getThreadMXBean().getThreadCount());
                    }
                    swapOnce(pair, 1);
                } finally {
                    for (ManagedChannel channel : intruders) {
                        Loopback.close(channel);
                    }
                }
                server.exchange().close(); // flushes the summary of what it refused
                rank1.close();
            } finally {
                System.setErr(err);
            }
            String log = captured.toString(StandardCharsets.UTF_8);
            List<String> refusals = log.lines().filter(l -> l.contains("Refused")).toList();
            assertThat(refusals)
                    .as("log lines for %d refused calls", channels * callsPerChannel)
                    .hasSizeLessThanOrEqualTo(RefusalLog.LOGGED_IN_FULL + 2);
            assertThat(refusals.get(refusals.size() - 1))
                    .contains(channels * callsPerChannel + " in all")
                    .contains("no bearer token")
                    .contains("from 127.0.0.1");
            assertThat(peakThreads - threadsBefore)
                    .as("threads added while refusing")
                    .isLessThanOrEqualTo(ConnectionLimits.DEFAULT.callThreads() + 4);
        }
    }

    @Test
    @Timeout(60)
    void aClientThatResetsEveryStreamItOpensIsCutOffAndThePairSwapsOn() throws Exception {
        int allowed = ConnectionLimits.DEFAULT.maxResets();
        try (Loopback.Rank0 server = new Loopback.Rank0(IDENTITY)) {
            PairExchange rank1 = server.connect(IDENTITY);
            try (Loopback.Pair pair = new Loopback.Pair(server.exchange(), rank1)) {
                swapOnce(pair, 0);
                int sent = 0;
                try (RawHttp2Client attacker = new RawHttp2Client(rank1.port())) {
                    // Each stream is reset as soon as it is opened, so the limit of concurrent
                    // streams never stops the loop: only the limit of resets can.
                    while (sent < 20 * allowed
                            && !attacker.closedByServer(0)
                            && attacker.open(100, true)) {
                        sent += 100;
                    }
                    assertThat(attacker.closedByServer(5_000))
                            .as("rank 0 closed a connection that opened and reset %d streams", sent)
                            .isTrue();
                }
                swapOnce(pair, 1);
            }
        }
    }

    @Test
    @Timeout(60)
    void aClientThatIgnoresTheStreamLimitLeavesAFewLinesOfLogAndThePairSwapsOn() throws Exception {
        int streams = 100_000;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // What java.util.logging (gRPC's logging) would print: its console handler writes to the
        // stderr it found when it was made, which replacing System.err does not reach.
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        StreamHandler console = new StreamHandler(captured, new SimpleFormatter());
        root.addHandler(console);
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (Loopback.Rank0 server = new Loopback.Rank0(IDENTITY)) {
            PairExchange rank1 = server.connect(IDENTITY);
            try (Loopback.Pair pair = new Loopback.Pair(server.exchange(), rank1)) {
                swapOnce(pair, 0);
                int sent = 0;
                while (sent < streams) {
                    // Rank 0 may end a connection that breaks the rules: open another.
                    try (RawHttp2Client attacker = new RawHttp2Client(rank1.port())) {
                        while (sent < streams && attacker.open(100, false)) {
                            sent += 100;
                        }
                    }
                }
                swapOnce(pair, 1);
                server.exchange().close(); // flushes the summaries
                rank1.close();
            }
        } finally {
            System.setErr(err);
            console.flush();
            root.removeHandler(console);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        List<String> summaries = log.lines().filter(l -> l.contains("gRPC logged")).toList();
        assertThat(summaries).as("gRPC's messages summed up, in:%n%s", head(log)).isNotEmpty();
        Matcher inAll = Pattern.compile("\\((\\d+) in all\\)").matcher(summaries.get(0));
        assertThat(inAll.find()).isTrue();
        assertThat(Long.parseLong(inAll.group(1)))
                .as("messages gRPC logged for %d streams beyond the limit", streams)
                .isGreaterThan(200);
        assertThat(summaries.get(0)).contains("Maximum active streams violated");
        // gRPC's own way was a record and a stack trace, some 4 KB, per message.
        List<String> records =
                log.lines().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d .*")).toList();
        assertThat(records)
                .as("log records for %d streams beyond the limit", streams)
                .hasSizeLessThanOrEqualTo(5 * RefusalLog.LOGGED_IN_FULL);
        assertThat(log.length())
                .as("characters logged for %d streams beyond the limit", streams)
                .isLessThan(200_000);
    }

    private static String head(String log) {
        return log.length() < 4000 ? log : log.substring(0, 4000) + "...";
    }

    private static StreamObserver<Progress> countDown(CountDownLatch answered) {
        return new StreamObserver<>() {
            @Override
            public void onNext(Progress value) {}

            @Override
            public void onError(Throwable t) {
                answered.countDown();
            }

            @Override
            public void onCompleted() {
                answered.countDown();
            }
        };
    }

    private static void swapOnce(Loopback.Pair pair, long step) throws Exception {
        float[] fromRank0 = new float[16];
        fromRank0[1] = step + 1;
        float[] fromRank1 = new float[16];
        fromRank1[2] = step + 2;
        float[][] received = pair.swap(step, fromRank0, fromRank1);
        assertThat(received[0]).isEqualTo(fromRank1);
        assertThat(received[1]).isEqualTo(fromRank0);
    }

    /** Waits until at least {@code count} of the sockets read end-of-stream or a reset. */
    private static void awaitClosed(List<Socket> sockets, int count, long seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int closed;
        while ((closed = SILENT - stillOpen(sockets)) < count) {
            assertThat(System.nanoTime())
                    .as(
                            "%d of %d silent connections closed by rank 0 within %d s",
                            closed, count, seconds)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** How many of the sockets rank 0 has not closed yet. */
    private static int stillOpen(List<Socket> sockets) {
        int open = 0;
        for (Socket socket : sockets) {
            if (!closedByPeer(socket)) {
                open++;
            }
        }
        return open;
    }

    private static boolean closedByPeer(Socket socket) {
        if (socket.isInputShutdown()) {
            return true;
        }
        try {
            int read = socket.getInputStream().read();
            if (read < 0) {
                socket.shutdownInput(); // remembered for the next look
                return true;
            }
            return false; // rank 0 sends nothing before the client's preface
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            try {
                socket.shutdownInput();
            } catch (IOException ignored) {
                // reset: the socket is gone either way
            }
            return true;
        }
    }

    /** This JVM's open file descriptors, rank 0's and the test's sockets among them. */
    static int openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }
}
