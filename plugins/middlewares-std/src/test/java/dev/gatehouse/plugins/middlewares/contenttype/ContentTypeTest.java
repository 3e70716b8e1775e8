package dev.gatehouse.plugins.middlewares.contenttype;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Traefik's contenttype tests and Go's sniff_test.go table (the part Gatehouse implements). */
class ContentTypeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "HTML document #1|            <HtMl><bOdY>blah blah blah</body></html>|     text/html; charset=utf-8",
        "HTML document #2|            <HTML></HTML>|                                text/html; charset=utf-8",
        "HTML document #3 (leading whitespace)|   '   <!DOCTYPE HTML>...'|          text/html; charset=utf-8",
        "HTML with leading comment|   <!-- comment -->|                             text/html; charset=utf-8",
        "XML|                         '\n<?xml!'|                                   text/xml; charset=utf-8",
        "PDF|                         %PDF-1.7|                                     application/pdf",
        "Plain text|                  This is not HTML. It has ☃ though.|           text/plain; charset=utf-8",
        "Not quite HTML|              <HTMLx|                                       text/plain; charset=utf-8",
        "GIF|                         GIF87a|                                       image/gif",
        "Binary|                      '\u0001\u0002\u0003'|                         application/octet-stream",
    })
    void detects(String desc, String body, String expected) {
        assertEquals(expected, Sniffer.detect(body.replace("\\n", "\n").getBytes(StandardCharsets.UTF_8)), desc);
    }

    @Test
    void pngAndJpegAndGzip() {
        assertEquals("image/png", Sniffer.detect(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0}));
        assertEquals("image/jpeg", Sniffer.detect(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0}));
        assertEquals("application/x-gzip", Sniffer.detect(new byte[] {0x1F, (byte) 0x8B, 8, 0}));
    }

    @Test
    void setsTheTypeOnlyWhenTheBackendSetNone() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new ContentType().create(new ContentType.Config(null), null))) {
            t.respond((request, response, callback) -> {
                if (request.getHttpURI().getPath().equals("/typed")) {
                    response.getHeaders().put("Content-Type", "application/json");
                }
                response.write(true, ByteBuffer.wrap("<html><body>hi</body></html>".getBytes(StandardCharsets.UTF_8)), callback);
            });
            HttpTester.Response sniffed = t.get("/");
            assertEquals("text/html; charset=utf-8", sniffed.get("Content-Type"));
            assertEquals("application/json", t.get("/typed").get("Content-Type"));
        }
        try (MiddlewareTester t = new MiddlewareTester(new ContentType().create(new ContentType.Config(false), null))) {
            t.respond((request, response, callback) ->
                    response.write(true, ByteBuffer.wrap("<html></html>".getBytes(StandardCharsets.UTF_8)), callback));
            assertEquals(null, t.get("/").get("Content-Type"));
        }
    }
}
