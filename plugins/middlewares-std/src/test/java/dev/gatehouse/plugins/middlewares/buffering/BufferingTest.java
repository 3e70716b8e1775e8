package dev.gatehouse.plugins.middlewares.buffering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Traefik's buffering_test.go (oxy buffer): limits, memory vs temporary file, what the backend and client get. */
class BufferingTest {

    /** body size; maxRequest; memRequest; expected status. */
    @ParameterizedTest(name = "{0} bytes, max {1}, mem {2} -> {3}")
    @CsvSource({
        "10,     0,     1048576, 200",
        "10,     10,    1048576, 200",
        "11,     10,    1048576, 413",
        "5000,   0,     100,     200",
        "5000,   6000,  100,     200",
        "5000,   4999,  100,     413",
        "0,      0,     100,     200",
    })
    void requestBody(int size, long max, long mem, int status) throws Exception {
        String body = "x".repeat(size);
        try (MiddlewareTester t = new MiddlewareTester(new Buffering().create(new Buffering.Config(max, mem, null, null, null), null))) {
            HttpTester.Response r = t.send("POST", "/", body);
            assertEquals(status, r.getStatus());
            if (status == 200) {
                assertEquals(body, new String(t.seen().body(), StandardCharsets.UTF_8), "the backend gets the whole body");
                assertEquals(String.valueOf(size), t.seen().header("Content-Length"));
            } else {
                assertNull(t.seen());
            }
        }
    }

    @Test
    void chunkedRequestBodyIsForwardedWithALength() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new Buffering().create(new Buffering.Config(0L, 4L, null, null, null), null))) {
            HttpTester.Response r = t.sendRaw("POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            assertEquals(200, r.getStatus());
            assertEquals("hello world", new String(t.seen().body(), StandardCharsets.UTF_8));
            assertEquals("11", t.seen().header("Content-Length"));
            assertNull(t.seen().header("Transfer-Encoding"));
        }
    }

    /** response size; maxResponse; memResponse; writes; expected status. */
    @ParameterizedTest(name = "response {0} bytes, max {1}, mem {2}, {3} writes -> {4}")
    @CsvSource({
        "100,    0,    1048576, 1, 200",
        "100000, 0,    1000,    7, 200",
        "100,    100,  10,      3, 200",
        "101,    100,  10,      3, 500",
    })
    void responseBody(int size, long max, long mem, int writes, int status) throws Exception {
        byte[] body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        try (MiddlewareTester t = new MiddlewareTester(new Buffering().create(new Buffering.Config(null, null, max, mem, null), null))) {
            t.respond((request, response, callback) -> {
                response.setStatus(200);
                response.getHeaders().put("X-Backend", "yes");
                write(response, body, 0, writes, callback);
            });
            HttpTester.Response r = t.get("/");
            assertEquals(status, r.getStatus());
            if (status == 200) {
                assertArrayEquals(body, r.getContentBytes());
                assertEquals(String.valueOf(size), r.get("Content-Length"));
                assertEquals("yes", r.get("X-Backend"));
            } else {
                assertNull(r.get("X-Backend"), "the backend's headers are not sent with the error");
            }
        }
    }

    private static void write(org.eclipse.jetty.server.Response response, byte[] body, int i, int writes, Callback callback) {
        int size = (body.length + writes - 1) / writes;
        int from = Math.min(body.length, i * size);
        int to = Math.min(body.length, from + size);
        boolean last = i == writes - 1;
        response.write(last, ByteBuffer.wrap(body, from, to - from), last ? callback
                : Callback.from(() -> write(response, body, i + 1, writes, callback), callback::failed));
    }

    @Test
    void badRetryExpressionsAndNegativeLimitsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Buffering().create(new Buffering.Config(null, null, null, null, "IsNetworkError( && Attempts() < 2"), null));
        assertThrows(IllegalArgumentException.class, () -> new Buffering().create(new Buffering.Config(null, null, null, null, "Retries() < 2"), null));
        assertThrows(IllegalArgumentException.class, () -> new Buffering().create(new Buffering.Config(-1L, null, null, null, null), null));
    }
}
