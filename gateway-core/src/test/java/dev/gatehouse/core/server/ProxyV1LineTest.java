package dev.gatehouse.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which PROXY v1 lines reach Jetty's reader: those the PROXY protocol specification allows; every other line
 * closes its connection, whoever sends it (Jetty would take a host name and look it up).
 */
class ProxyV1LineTest {

    private static ProxyProtocol.V1Line of(String bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1));
        ProxyProtocol.V1Line line = ProxyProtocol.V1Line.of(buffer);
        assertEquals(0, buffer.position(), "the buffer is left as it was");
        return line;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "PROXY TCP4 203.0.113.7 127.0.0.1 50123 80\r\n",
        "PROXY TCP6 2001:db8::7 ::1 0 65535\r\n",
        "PROXY TCP6 ::ffff:203.0.113.7 ::1 1 443\r\n",
        "PROXY UNKNOWN\r\n",
        "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n",
    })
    void wellFormedLinesGoToJetty(String line) {
        assertEquals(ProxyProtocol.V1Line.VALID, of(line + "GET / HTTP/1.1\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "PROXY TCP4 evil.example 127.0.0.1 50123 80\r\n",
        "PROXY TCP4 127.0.0.1 localhost 50123 80\r\n",
        "PROXY TCP5 203.0.113.7 127.0.0.1 50123 80\r\n",
        "PROXY tcp4 203.0.113.7 127.0.0.1 50123 80\r\n",
        "PROXY TCP4 2001:db8::7 127.0.0.1 50123 80\r\n",
        "PROXY TCP6 203.0.113.7 ::1 50123 80\r\n",
        "PROXY TCP4 203.0.113.7 127.0.0.1 port 80\r\n",
        "PROXY TCP4 203.0.113.7 127.0.0.1 65536 80\r\n",
        "PROXY TCP4 203.0.113.7 127.0.0.1 080 80\r\n",
        "PROXY TCP4 203.0.113.7 127.0.0.1 -1 80\r\n",
        "PROXY TCP4 203.0.113.07 127.0.0.1 50123 80\r\n",
        "PROXY TCP4 203.0.113.7  127.0.0.1 50123 80\r\n",
        "PROXY TCP4 203.0.113.7 127.0.0.1 50123\r\n",
        "PROXY TCP4 203.0.113.7 127.0.0.1 50123 80 extra\r\n",
        "PROXY TCP4 203.0.113.7 127.0.0.1 50123 80\n",
        "PROXY\r\n",
    })
    void malformedLinesAreRefused(String line) {
        assertEquals(ProxyProtocol.V1Line.MALFORMED, of(line));
    }

    @Test
    void aLineHasAtMost107BytesWithItsCrlf() {
        String prefix = "PROXY UNKNOWN ";
        String longest = prefix + "x".repeat(107 - 2 - prefix.length()) + "\r\n";
        assertEquals(107, longest.length());
        assertEquals(ProxyProtocol.V1Line.VALID, of(longest));
        assertEquals(ProxyProtocol.V1Line.MALFORMED, of(prefix + "x".repeat(107 - 1 - prefix.length()) + "\r\n"));
        assertEquals(ProxyProtocol.V1Line.MALFORMED, of("PROXY TCP4 " + "1".repeat(200)), "no CRLF in time");
    }

    @Test
    void aLineStillArrivingIsWaitedForAndOtherBytesAreNoV1Line() {
        assertEquals(ProxyProtocol.V1Line.INCOMPLETE, of("PRO"));
        assertEquals(ProxyProtocol.V1Line.INCOMPLETE, of("PROXY TCP4 203.0."));
        assertEquals(ProxyProtocol.V1Line.ABSENT, of("POST / HTTP/1.1\r\n"));
        assertEquals(ProxyProtocol.V1Line.ABSENT, of("GET / HTTP/1.1\r\n"));
        assertEquals(ProxyProtocol.V1Line.ABSENT, of("\r\n\r\n\u0000\r\nQUIT\n"));
    }
}
