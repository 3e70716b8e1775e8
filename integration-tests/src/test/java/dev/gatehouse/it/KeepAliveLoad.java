package dev.gatehouse.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A load generator on loopback: a few keep-alive HTTP/1.1 connections, each sending one GET after another (over
 * the given paths, in turn) as fast as the gateway answers, for a bounded time and count. It counts what came
 * back by phase (the phase current when the request was sent; see {@link #phase}), and every connection the
 * server ended: closed or reset while a request was under way, or announced with {@code Connection: close}.
 * A dropped connection is opened again and the load goes on.
 *
 * <pre>{@code
 * try (KeepAliveLoad load = KeepAliveLoad.start(port, 8, List.of("/a", "/b"), Duration.ofSeconds(30))) {
 *     ... change things ...
 *     KeepAliveLoad.Result result = load.stop();
 * }
 * }</pre>
 */
final class KeepAliveLoad implements AutoCloseable {

    /** At most this many requests per connection, whatever the time: the loop is bounded in count too. */
    private static final long MAX_REQUESTS_PER_CONNECTION = 2_000_000;
    private static final int SAMPLES = 20;

    /** What one phase of the load saw. */
    static final class Phase {
        final String name;
        /** By status and the first line of the body (the backend's name for the test backends). */
        final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final List<String> samples = new CopyOnWriteArrayList<>();

        Phase(String name) {
            this.name = name;
        }

        private void answered(int status, String firstLine) {
            requests.incrementAndGet();
            answers.computeIfAbsent(status + " " + firstLine, k -> new AtomicLong()).incrementAndGet();
        }

        private void sample(String what) {
            if (samples.size() < SAMPLES) {
                samples.add(what);
            }
        }

        /** Answers with this status and body line. */
        long count(int status, String firstLine) {
            AtomicLong count = answers.get(status + " " + firstLine);
            return count == null ? 0 : count.get();
        }

        @Override
        public String toString() {
            return name + ": " + requests + " requests, " + failed + " failed, " + dropped + " connections dropped, answers "
                    + new TreeMap<>(answers) + (samples.isEmpty() ? "" : ", first problems " + samples);
        }
    }

    private final int port;
    private final List<String> paths;
    private final long deadline;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Phase> phases = new CopyOnWriteArrayList<>();
    private final AtomicReference<Phase> current = new AtomicReference<>();
    private final long started = System.nanoTime();
    private volatile boolean stopping;

    private KeepAliveLoad(int port, List<String> paths, Duration maxDuration) {
        this.port = port;
        this.paths = List.copyOf(paths);
        this.deadline = System.nanoTime() + maxDuration.toNanos();
        phase("load");
    }

    /**
     * Opens {@code connections} connections to 127.0.0.1:{@code port} and starts sending; stops by itself after
     * {@code maxDuration} if {@link #stop} was not called before.
     */
    static KeepAliveLoad start(int port, int connections, List<String> paths, Duration maxDuration) {
        KeepAliveLoad load = new KeepAliveLoad(port, paths, maxDuration);
        for (int i = 0; i < connections; i++) {
            int index = i;
            Thread thread = new Thread(() -> load.run(index), "keep-alive-load-" + i);
            thread.setDaemon(true);
            load.threads.add(thread);
            thread.start();
        }
        return load;
    }

    /** Counts what is sent from now on under a new phase, and returns it. */
    Phase phase(String name) {
        Phase phase = new Phase(name);
        phases.add(phase);
        current.set(phase);
        return phase;
    }

    /** Whether the load is still running (it was not stopped and its time is not up). */
    boolean running() {
        return !stopping && System.nanoTime() - deadline < 0;
    }

    /** Waits until the current phase has had at least {@code count} answers (at most {@code timeout}). */
    void awaitRequests(long count, Duration timeout) throws InterruptedException {
        Phase phase = current.get();
        Poll.until(count + " answers to the load", timeout, () -> phase.requests.get() >= count, phase::toString);
    }

    /** Lets every connection finish the request it is on, then closes them; returns every phase's counts. */
    List<Phase> stop() throws InterruptedException {
        stopping = true;
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(15));
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " did not finish its request within 15 s");
            }
        }
        return List.copyOf(phases);
    }

    @Override
    public void close() throws InterruptedException {
        if (!stopping) {
            stop();
        }
    }

    private long millis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    private void run(int index) {
        Socket socket = null;
        InputStream in = null;
        long sent = 0;
        try {
            while (running() && sent < MAX_REQUESTS_PER_CONNECTION) {
                if (socket == null) {
                    socket = connect();
                    if (socket == null) {
                        continue; // counted as failed; tried again
                    }
                    try {
                        in = new BufferedInputStream(socket.getInputStream()); // one per connection: no pipelining
                    } catch (IOException e) {
                        closeQuietly(socket);
                        socket = null;
                        continue;
                    }
                }
                String path = paths.get((int) ((index + sent) % paths.size()));
                sent++;
                Phase phase = current.get();
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(("GET " + path + " HTTP/1.1\r\nHost: load.test\r\nUser-Agent: keep-alive-load\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    Answer answer = read(in);
                    phase.answered(answer.status, answer.firstLine);
                    if (answer.status != 200) {
                        phase.failed.incrementAndGet();
                        phase.sample(millis() + " ms: " + path + " on connection " + index + " -> " + answer.status + " "
                                + answer.firstLine);
                    }
                    if (answer.close) {
                        phase.dropped.incrementAndGet();
                        phase.sample(millis() + " ms: " + path + " on connection " + index + " -> " + answer.status
                                + " with Connection: close");
                        socket.close();
                        socket = null;
                    }
                } catch (IOException e) {
                    // The server closed or reset the connection while a request was under way on it.
                    phase.requests.incrementAndGet();
                    phase.failed.incrementAndGet();
                    phase.dropped.incrementAndGet();
                    phase.sample(millis() + " ms: " + path + " on connection " + index + " -> dropped: " + e);
                    closeQuietly(socket);
                    socket = null;
                }
            }
        } finally {
            closeQuietly(socket);
        }
    }

    private Socket connect() {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            return socket;
        } catch (IOException e) {
            Phase phase = current.get();
            phase.failed.incrementAndGet();
            phase.sample(millis() + " ms: cannot connect: " + e);
            closeQuietly(socket);
            try {
                Thread.sleep(50); // bounded by the load's deadline; a refused connection must not spin
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
            return null;
        }
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private record Answer(int status, String firstLine, boolean close) {
    }

    /** Reads one response: status line, header lines, and a body delimited by Content-Length or chunked coding. */
    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("connection closed before the response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> close = value.contains("close");
                default -> { }
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (long size = Long.parseLong(line(in).split(";")[0].trim(), 16); size > 0;
                    size = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
                copy(in, body, size);
                line(in); // the CRLF after the chunk
            }
            for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                // trailers: none expected, skipped
            }
        } else if (length >= 0) {
            copy(in, body, length);
        } else {
            throw new IOException("a response without a length on a keep-alive connection: " + statusLine);
        }
        String text = body.toString(StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        return new Answer(status, (end < 0 ? text : text.substring(0, end)).strip(), close);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out, long count) throws IOException {
        byte[] buffer = new byte[8192];
        while (count > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, count));
            if (n < 0) {
                throw new IOException("connection closed in the middle of a body");
            }
            out.write(buffer, 0, n);
            count -= n;
        }
    }

    /** One CRLF-terminated line, or null at the end of the stream before any byte. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                int last = line.length() - 1;
                return last >= 0 && line.charAt(last) == '\r' ? line.substring(0, last) : line.toString();
            }
            line.append((char) b);
        }
        if (line.length() == 0) {
            return null;
        }
        throw new IOException("connection closed in the middle of a line");
    }
}
