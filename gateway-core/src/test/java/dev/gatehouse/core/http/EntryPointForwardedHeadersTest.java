package dev.gatehouse.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** The forwarding headers as the entry point hands a request on to routing and the middlewares. */
class EntryPointForwardedHeadersTest {

    private static final String SPOOFED = """
            X-Forwarded-For: 1.2.3.4\r
            X-Forwarded-For: 5.6.7.8\r
            X-Real-Ip: 1.2.3.4\r
            X-Forwarded-Proto: https\r
            X-Forwarded-Host: evil.example\r
            X-Forwarded-Port: 1\r
            X-Forwarded-Server: evil\r
            X-Forwarded-Uri: /admin\r
            X-Scheme: https\r
            """;

    /** The headers a handler after the entry point sees, one "Name: value" per field, in order. */
    private static HttpTester.Response seen(ForwardedHeadersPolicy policy, String host, String headers) throws Exception {
        return LocalExchange.answer(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                StringBuilder seen = new StringBuilder();
                for (HttpField field : EntryPointForwardedHeaders.apply(request, policy).getHeaders()) {
                    seen.append(field.getName()).append(": ").append(field.getValue()).append('\n');
                }
                response.write(true, ByteBuffer.wrap(seen.toString().getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        }, "GET / HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "Connection: close\r\n\r\n");
    }

    private static List<String> values(HttpTester.Response response, String name) {
        return response.getContent().lines().filter(line -> line.regionMatches(true, 0, name + ": ", 0, name.length() + 2))
                .map(line -> line.substring(name.length() + 2)).toList();
    }

    private static String value(HttpTester.Response response, String name) {
        List<String> values = values(response, name);
        return values.isEmpty() ? null : String.join(" | ", values);
    }

    @Test
    void anUntrustedClientsForwardingHeadersAreReplacedByTheEntryPointsOwn() throws Exception {
        HttpTester.Response seen = seen(ForwardedHeadersPolicy.TRUST_NONE, "app.example:8443", SPOOFED);
        assertNull(value(seen, "X-Forwarded-For"), "added by the proxy, after the middlewares");
        assertNull(value(seen, "X-Forwarded-Uri"));
        assertNull(value(seen, "X-Scheme"));
        assertEquals("http", value(seen, "X-Forwarded-Proto"));
        assertEquals("app.example:8443", value(seen, "X-Forwarded-Host"));
        assertEquals("8443", value(seen, "X-Forwarded-Port"));
        assertNotNull(value(seen, "X-Real-Ip"));
        assertEquals(1, values(seen, "X-Forwarded-Server").size());
        assertNotEquals("evil", value(seen, "X-Forwarded-Server"));
    }

    @Test
    void aTrustedClientsForwardingHeadersAreKeptAndItsForwardedForJoined() throws Exception {
        HttpTester.Response seen = seen(new ForwardedHeadersPolicy(IpRanges.none(), true), "app.example", SPOOFED);
        assertEquals("1.2.3.4, 5.6.7.8", value(seen, "X-Forwarded-For"), "one field, as Traefik's entry point makes it");
        assertEquals("https", value(seen, "X-Forwarded-Proto"));
        assertEquals("evil.example", value(seen, "X-Forwarded-Host"));
        assertEquals("1", value(seen, "X-Forwarded-Port"));
        assertEquals("1.2.3.4", value(seen, "X-Real-Ip"));
        assertEquals("/admin", value(seen, "X-Forwarded-Uri"));
        assertNotEquals("evil", value(seen, "X-Forwarded-Server"), "always this host");
    }

    @Test
    void schemeHeadersFollowTheForwardedProtoWhenAsked() throws Exception {
        ForwardedHeadersPolicy withSchemeHeaders = new ForwardedHeadersPolicy(IpRanges.none(), false, true, true);
        HttpTester.Response seen = seen(withSchemeHeaders, "app.example", SPOOFED);
        assertEquals("http", value(seen, "X-Forwarded-Scheme"));
        assertEquals("http", value(seen, "X-Scheme"), "the untrusted client's https is gone");
        assertEquals("80", value(seen, "X-Forwarded-Port"));
    }

    @Test
    void aWebSocketHandshakeIsForwardedAsWs() throws Exception {
        // As Traefik's forwardedheaders: the scheme of the connection the handshake asks for, not of the handshake.
        HttpTester.Response seen = seen(ForwardedHeadersPolicy.TRUST_NONE, "app.example",
                "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n");
        assertEquals("ws", value(seen, "X-Forwarded-Proto"));
        assertEquals("80", value(seen, "X-Forwarded-Port"));
    }

    @Test
    void anUpgradeToAnotherProtocolKeepsHttp() throws Exception {
        HttpTester.Response seen = seen(ForwardedHeadersPolicy.TRUST_NONE, "app.example",
                "Upgrade: h2c\r\nConnection: Upgrade\r\n");
        assertEquals("http", value(seen, "X-Forwarded-Proto"));
    }
}
