package dev.gatehouse.plugins.middlewares.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Traefik's compress_test.go and acceptencoding_test.go cases; bodies decompressed with the JDK and brotli4j. */
class CompressTest {

    static final byte[] BODY = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(300).getBytes(StandardCharsets.UTF_8);

    private static Compress.Config config(Integer min, List<String> excluded, List<String> included) {
        return new Compress.Config(excluded, included, min, null, null);
    }

    /** The backend writes the body in {@code chunks} writes, with or without Content-Length. */
    private static MiddlewareTester tester(Compress.Config config, String contentType, byte[] body, int chunks, boolean length)
            throws Exception {
        return new MiddlewareTester(new Compress().create(config, null)).respond((request, response, callback) -> {
            response.setStatus(200);
            if (contentType != null) {
                response.getHeaders().put("Content-Type", contentType);
            }
            if (length) {
                response.getHeaders().put("Content-Length", body.length);
            }
            write(response, body, 0, chunks, callback);
        });
    }

    private static void write(org.eclipse.jetty.server.Response response, byte[] body, int i, int chunks, Callback callback) {
        int size = (body.length + chunks - 1) / chunks;
        int from = Math.min(body.length, i * size);
        int to = Math.min(body.length, from + size);
        boolean last = i == chunks - 1;
        response.write(last, ByteBuffer.wrap(body, from, to - from), last ? callback
                : Callback.from(() -> write(response, body, i + 1, chunks, callback), callback::failed));
    }

    static byte[] decode(String encoding, byte[] data) throws Exception {
        InputStream in = switch (encoding) {
            case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(data));
            case "br" -> new BrotliInputStream(new ByteArrayInputStream(data));
            default -> new ByteArrayInputStream(data);
        };
        try (in) {
            return in.readAllBytes();
        }
    }

    /** Accept-Encoding; expected coding ("" none). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "gzip|                       gzip",
        "br|                         br",
        "gzip, br|                   br",
        "br;q=0.5, gzip|             gzip",
        "gzip;q=0.8, br;q=0.9|       br",
        "*|                          br",
        "br;q=0, gzip;q=0|           ''",
        "identity|                   ''",
        "deflate|                    ''",
        "zstd, gzip;q=0.5|           gzip",
        "GZIP|                       gzip",
    })
    void chosenEncodingIsDecodable(String acceptEncoding, String expected) throws Exception {
        try (MiddlewareTester t = tester(config(null, null, null), "text/plain", BODY, 4, false)) {
            HttpTester.Response r = t.get("/", "Accept-Encoding: " + acceptEncoding);
            assertEquals(200, r.getStatus());
            assertEquals(expected.isEmpty() ? null : expected, r.get("Content-Encoding"));
            assertArrayEquals(BODY, decode(expected, r.getContentBytes()));
            if (!expected.isEmpty()) {
                assertTrue(r.getContentBytes().length < BODY.length / 5, "compressed well");
                assertEquals("Accept-Encoding", r.get("Vary"));
                assertNull(r.get("Content-Length") == null ? null : "chunked or exact",
                        "no stale Content-Length of the original body");
            }
        }
    }

    @Test
    void noAcceptEncodingMeansNoCompressionUnlessADefaultIsSet() throws Exception {
        try (MiddlewareTester t = tester(config(null, null, null), "text/plain", BODY, 1, true)) {
            HttpTester.Response r = t.get("/");
            assertNull(r.get("Content-Encoding"));
            assertEquals(String.valueOf(BODY.length), r.get("Content-Length"));
        }
        try (MiddlewareTester t = tester(new Compress.Config(null, null, null, null, "gzip"), "text/plain", BODY, 1, true)) {
            assertEquals("gzip", t.get("/").get("Content-Encoding"));
        }
    }

    /** body size; chunks; Content-Length known; min; compressed? */
    @ParameterizedTest(name = "{0} bytes in {1} writes, length known {2}, min {3}")
    @CsvSource({
        "1023, 1, true,  1024, false",
        "1024, 1, true,  1024, true",
        "1023, 3, false, 1024, false",
        "1024, 3, false, 1024, true",
        "5000, 10, false, 1024, true",
        "10, 1, false, 0, true",
    })
    void minResponseBodyBytes(int size, int chunks, boolean length, int min, boolean compressed) throws Exception {
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) 'a');
        try (MiddlewareTester t = tester(config(min, null, null), "text/plain", body, chunks, length)) {
            HttpTester.Response r = t.get("/", "Accept-Encoding: gzip");
            assertEquals(compressed ? "gzip" : null, r.get("Content-Encoding"));
            assertArrayEquals(body, decode(compressed ? "gzip" : "", r.getContentBytes()));
        }
    }

    /** content type; excluded; included; compressed? */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "text/html; charset=utf-8|  ''|                 ''|                  true",
        "image/png|                 ''|                 ''|                  false",
        "text/event-stream|         ''|                 ''|                  false",
        "image/png|                 text/plain|         ''|                  true",
        "text/plain|                text/plain|         ''|                  false",
        "application/json|          ''|                 text/html|           false",
        "text/html|                 ''|                 text/html|           true",
    })
    void contentTypes(String contentType, String excluded, String included, boolean compressed) throws Exception {
        Compress.Config config = config(null, excluded.isEmpty() ? null : List.of(excluded), included.isEmpty() ? null : List.of(included));
        try (MiddlewareTester t = tester(config, contentType, BODY, 1, false)) {
            assertEquals(compressed ? "gzip" : null, t.get("/", "Accept-Encoding: gzip").get("Content-Encoding"));
        }
    }

    @Test
    void alreadyEncodedHeadAndGrpcPassThrough() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new Compress().create(config(null, null, null), null)).respond((req, res, cb) -> {
            res.getHeaders().put("Content-Encoding", "br");
            res.write(true, ByteBuffer.wrap(BODY), cb);
        })) {
            HttpTester.Response r = t.get("/", "Accept-Encoding: gzip");
            assertEquals("br", r.get("Content-Encoding"));
            assertArrayEquals(BODY, r.getContentBytes());
        }
        try (MiddlewareTester t = tester(config(null, null, null), "text/plain", BODY, 1, false)) {
            assertNull(t.get("/", "Accept-Encoding: gzip", "Content-Type: application/grpc").get("Content-Encoding"));
        }
        try (MiddlewareTester t = new MiddlewareTester(new Compress().create(config(null, null, null), null)).respond((req, res, cb) -> {
            res.setStatus(206);
            res.getHeaders().put("Content-Range", "bytes 0-" + (BODY.length - 1) + "/99999");
            res.write(true, ByteBuffer.wrap(BODY), cb);
        })) {
            assertNull(t.get("/", "Accept-Encoding: gzip").get("Content-Encoding"), "a range is not re-encoded");
        }
    }

    @Test
    void handlerThatCompletesWithoutALastWriteStillEndsTheStream() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new Compress().create(config(0, null, null), null)).respond((req, res, cb) -> {
            res.getHeaders().put("Content-Type", "text/plain");
            res.write(false, ByteBuffer.wrap(BODY), Callback.from(cb::succeeded, cb::failed));
        })) {
            HttpTester.Response r = t.get("/", "Accept-Encoding: br");
            assertEquals("br", r.get("Content-Encoding"));
            assertArrayEquals(BODY, decode("br", r.getContentBytes()));
        }
    }

    @Test
    void invalidOptions() {
        assertThrows(IllegalArgumentException.class, () -> new Compress().create(config(null, List.of("text/plain"), List.of("text/html")), null));
        assertThrows(IllegalArgumentException.class, () -> new Compress().create(new Compress.Config(null, null, null, List.of("lzma"), null), null));
        assertThrows(IllegalArgumentException.class, () -> new Compress().create(config(-1, null, null), null));
    }
}
