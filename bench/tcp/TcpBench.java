import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The TCP benchmark's two ends, run with {@code java TcpBench.java} (no build):
 * <pre>
 *   origin PORT                     a server: the first byte a client sends says what it wants:
 *                                     'd' then 8 bytes N: send N bytes, then close (download)
 *                                     'u': read and discard until the client ends its stream, then answer "k" (upload)
 *                                     'c': answer "k" and close (a connection for the connection rate)
 *   download HOST PORT BYTES        one connection receiving BYTES; prints MB/s
 *   upload HOST PORT BYTES          one connection sending BYTES; prints MB/s
 *   connrate HOST PORT SECONDS N    N threads opening, using ('c') and closing connections for SECONDS; prints conn/s
 * </pre>
 * Loopback only; every run is bounded in bytes or seconds.
 */
public final class TcpBench {

    private static final int CHUNK = 64 * 1024;

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "origin" -> origin(Integer.parseInt(args[1]));
            case "download" -> System.out.println(download(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3])));
            case "upload" -> System.out.println(upload(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3])));
            case "connrate" -> System.out.println(connrate(args[1], Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]), Integer.parseInt(args[4])));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static void origin(int port) throws IOException {
        ExecutorService threads = Executors.newCachedThreadPool();
        try (ServerSocket server = new ServerSocket(port, 1024, InetAddress.getLoopbackAddress())) {
            server.setReuseAddress(true);
            while (true) {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            }
        }
    }

    private static void serve(Socket client) {
        try (client) {
            client.setTcpNoDelay(true);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            int what = in.read();
            byte[] chunk = new byte[CHUNK];
            if (what == 'd') {
                long remaining = ByteBuffer.wrap(in.readNBytes(8)).getLong();
                while (remaining > 0) {
                    int n = (int) Math.min(chunk.length, remaining);
                    out.write(chunk, 0, n);
                    remaining -= n;
                }
            } else if (what == 'u') {
                while (in.read(chunk) >= 0) {
                    // discard
                }
                out.write('k');
            } else if (what == 'c') {
                out.write('k');
            }
            out.flush();
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String download(String host, int port, long bytes) throws IOException {
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port))) {
            ByteBuffer request = ByteBuffer.allocate(9).put((byte) 'd').putLong(bytes).flip();
            while (request.hasRemaining()) {
                channel.write(request);
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            long start = System.nanoTime();
            long received = 0;
            for (int n; (n = channel.read(buffer.clear())) >= 0; ) {
                received += n;
            }
            return rate(received, bytes, start);
        }
    }

    private static String upload(String host, int port, long bytes) throws IOException {
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port))) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            long start = System.nanoTime();
            channel.write(ByteBuffer.wrap(new byte[] {'u'}));
            long sent = 0;
            while (sent < bytes) {
                buffer.clear().limit((int) Math.min(CHUNK, bytes - sent));
                while (buffer.hasRemaining()) {
                    sent += channel.write(buffer);
                }
            }
            channel.shutdownOutput();
            ByteBuffer answer = ByteBuffer.allocate(1);
            while (answer.hasRemaining() && channel.read(answer) >= 0) {
                // the origin's "k": everything arrived
            }
            return rate(answer.hasRemaining() ? 0 : sent, bytes, start);
        }
    }

    private static String rate(long moved, long expected, long start) {
        double seconds = (System.nanoTime() - start) / 1e9;
        if (moved != expected) {
            return "FAILED (" + moved + " of " + expected + " bytes)";
        }
        return String.format(Locale.ROOT, "%.1f", moved / seconds / 1e6);
    }

    private static String connrate(String host, int port, int seconds, int threads) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread worker = new Thread(() -> {
                while (System.nanoTime() < end) {
                    try (Socket socket = new Socket(host, port)) {
                        socket.setSoTimeout(5_000);
                        socket.setSoLinger(true, 0);   // no TIME_WAIT on the client's ports: the run stays bounded
                        socket.getOutputStream().write('c');
                        if (socket.getInputStream().read() == 'k') {
                            done.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return String.format(Locale.ROOT, "%.0f%s", done.get() / (double) seconds,
                failed.get() == 0 ? "" : " (" + failed.get() + " failed)");
    }
}
