package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stalled-body attack, against a gateway in a process of its own: POSTs that announce 100 bytes, send 2 and
 * stall. It used to get them 504 at the entry point's idle timeout (30 s) and passive health then left the service's
 * only server out for 10 s, so every other client got 503. Now the stalled clients get 408 at the read timeout (3 s
 * here instead of the default 60 s, to keep the test short) and the others never notice.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StalledBodyAttackTest {

    @TempDir
    Path dir;

    @Test
    void stalledPostsGet408AndEveryOtherClientKeepsGetting200() throws Exception {
        int port = Gateways.freePort();
        try (TestBackend backend = TestBackend.with("only", new ReadsBodyFirst())) {
            Path gw = dir.resolve("gw");
            Gateways.withDynamic(gw, """
                    http:
                      routers:
                        app:
                          rule: PathPrefix(`/`)
                          service: app
                      services:
                        app:
                          loadBalancer:
                            servers:
                              - url: %s
                    """.formatted(backend.url()));
            Path config = gw.resolve("gatehouse.yml");
            Files.writeString(config, """
                    entryPoints:
                      web:
                        address: "127.0.0.1:%d"
                        transport:
                          respondingTimeouts:
                            readTimeout: 3s
                    providers:
                      providersThrottleDuration: 200ms
                      file:
                        directory: %s
                    """.formatted(port, gw.resolve("dynamic")));
            try (GatewayProcess gateway = GatewayProcess.start(gw, config, gw.resolve("plugins"),
                    "http://127.0.0.1:" + port + "/ready")) {
                List<CompletableFuture<Integer>> stalled = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    stalled.add(CompletableFuture.supplyAsync(() -> stalledPost(port)));
                }
                // Other clients, throughout: until every stalled client is answered (at the read timeout), and 2 s
                // more, in which passive health would have left the server out.
                Map<Integer, Integer> others = new TreeMap<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long quietUntil = Long.MAX_VALUE;
                while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                    int status = RawHttp.exchange(port, "GET /other HTTP/1.1\r\nHost: test\r\nConnection: close").status();
                    others.merge(status, 1, Integer::sum);
                    if (quietUntil == Long.MAX_VALUE && stalled.stream().allMatch(CompletableFuture::isDone)) {
                        quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    }
                    Thread.sleep(50);
                }
                assertEquals(1, others.size(), "statuses the other clients got: " + others + "\n" + gateway.output());
                assertTrue(others.getOrDefault(200, 0) > 40, "other clients answered 200 throughout: " + others);
                for (CompletableFuture<Integer> client : stalled) {
                    assertEquals(408, client.get(1, TimeUnit.SECONDS), "what a stalled client gets");
                }
            }
        }
    }

    /** Announces 100 bytes, sends 2, and waits for what the gateway answers: its status, or -1 when it just closes. */
    private static int stalledPost(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nab".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) >= 0 && answer.size() < 64 * 1024; ) {
                answer.write(buffer, 0, n);
            }
            String text = answer.toString(StandardCharsets.ISO_8859_1);
            return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads the whole request body before answering, as an upload endpoint does. */
    private static final class ReadsBodyFirst extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            try (InputStream in = Content.Source.asInputStream(request)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                callback.failed(e);
                return true;
            }
            response.write(true, ByteBuffer.wrap("ok\n".getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }
}
