package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1 GiB each way through the gateway, generated and consumed on the fly. The test JVM (gateway, backend and
 * client together) has a 256 MiB heap, so a body buffered whole anywhere would fail with OutOfMemoryError;
 * the peak heap in use during the transfer is also asserted to stay far below the body size.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamingTest {

    private static final long SIZE = 1L << 30;
    /** Peak used heap (garbage included) allowed during a transfer: a fifth of the body. The retained heap after a
     *  GC is held to 64 MiB. */
    private static final long HEAP_LIMIT = SIZE / 5;

    @TempDir
    static Path dir;

    private static TestBackend backend;
    private static TestGateway gateway;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.with("stream", new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (request.getHttpURI().getPath().equals("/upload")) {
                    long count = 0;
                    CRC32 crc = new CRC32();
                    byte[] buffer = new byte[64 * 1024];
                    try (InputStream in = Content.Source.asInputStream(request)) {
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            count += n;
                            crc.update(buffer, 0, n);
                        }
                    }
                    String answer = count + " " + Long.toHexString(crc.getValue());
                    response.write(true, ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)), callback);
                } else {
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, SIZE);
                    try (OutputStream out = Content.Sink.asOutputStream(response);
                         InputStream pattern = new PatternStream(SIZE)) {
                        pattern.transferTo(out);
                    }
                    callback.succeeded();
                }
                return true;
            }
        });
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                    stream:
                      rule: PathPrefix(`/`)
                      service: stream
                  services:
                    stream:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(backend.url())).start();
        gateway.awaitReload(0, () -> gateway.routerEnabled("stream@file"), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        backend.close();
    }

    @Test
    void oneGibUploadStreamsToTheBackend() throws Exception {
        try (HeapWatch heap = new HeapWatch()) {
            long start = System.nanoTime();
            HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/upload")))
                    .POST(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(SIZE)), SIZE))
                    .build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            report("upload", start);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(SIZE + " " + Long.toHexString(PatternStream.crcOf(SIZE)), response.body());
            heap.assertPeakBelow(HEAP_LIMIT);
        }
    }

    @Test
    void oneGibDownloadStreamsToTheClient() throws Exception {
        try (HeapWatch heap = new HeapWatch()) {
            long start = System.nanoTime();
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/download")))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertEquals(String.valueOf(SIZE), response.headers().firstValue("Content-Length").orElse(null));
            long count = 0;
            CRC32 crc = new CRC32();
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = response.body()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    count += n;
                    crc.update(buffer, 0, n);
                }
            }
            report("download", start);
            assertEquals(SIZE, count);
            assertEquals(PatternStream.crcOf(SIZE), crc.getValue());
            heap.assertPeakBelow(HEAP_LIMIT);
        }
    }

    private static void report(String what, long startNanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        System.out.printf("%s of %d MiB took %d ms (%.0f MiB/s)%n", what, SIZE >> 20, millis,
                (SIZE >> 20) * 1000.0 / Math.max(1, millis));
    }

    /** Samples the used heap of this JVM (gateway included) while a transfer runs. */
    private static final class HeapWatch implements AutoCloseable {
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final AtomicLong peak = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread sampler;

        HeapWatch() {
            System.gc();
            sampler = new Thread(() -> {
                while (running.get()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-watch");
            sampler.setDaemon(true);
            sampler.start();
        }

        void assertPeakBelow(long limit) {
            peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
            System.out.printf("peak heap used during the transfer: %d MiB%n", peak.get() >> 20);
            assertTrue(peak.get() < limit, "peak heap used " + (peak.get() >> 20) + " MiB, limit " + (limit >> 20) + " MiB");
            System.gc();
            long after = memory.getHeapMemoryUsage().getUsed();
            System.out.printf("heap used after the transfer and a GC: %d MiB%n", after >> 20);
            assertTrue(after < (64L << 20), "heap used after the transfer " + (after >> 20) + " MiB");
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            sampler.interrupt();
            sampler.join(1000);
        }
    }

    /** {@code size} bytes of a repeating pattern, made as they are read. */
    static final class PatternStream extends InputStream {
        private static final byte[] BLOCK = new byte[251 * 256];

        static {
            for (int i = 0; i < BLOCK.length; i++) {
                BLOCK[i] = (byte) (i % 251);
            }
        }

        private final long size;
        private long position;

        PatternStream(long size) {
            this.size = size;
        }

        static long crcOf(long size) {
            CRC32 crc = new CRC32();
            long remaining = size;
            while (remaining > 0) {
                int n = (int) Math.min(BLOCK.length, remaining);
                crc.update(BLOCK, 0, n);
                remaining -= n;
            }
            return crc.getValue();
        }

        @Override
        public int read() {
            if (position >= size) {
                return -1;
            }
            return BLOCK[(int) (position++ % BLOCK.length)] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int offset = (int) (position % BLOCK.length);
            int n = (int) Math.min(Math.min(len, BLOCK.length - offset), size - position);
            System.arraycopy(BLOCK, offset, b, off, n);
            position += n;
            return n;
        }
    }
}
