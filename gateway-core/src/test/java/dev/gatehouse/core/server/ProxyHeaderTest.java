package dev.gatehouse.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which PROXY headers reach Jetty's reader: those the PROXY protocol specification allows; every other header
 * closes its connection, whoever sends it (Jetty would take a host name and look it up, or a v2 header's addresses
 * from the request after it).
 */
class ProxyHeaderTest {

    private static ProxyProtocol.Header of(String bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1));
        ProxyProtocol.Header line = ProxyProtocol.Header.of(buffer);
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
        assertEquals(ProxyProtocol.Header.VALID, of(line + "GET / HTTP/1.1\r\n"));
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
        assertEquals(ProxyProtocol.Header.MALFORMED, of(line));
    }

    @Test
    void aLineHasAtMost107BytesWithItsCrlf() {
        String prefix = "PROXY UNKNOWN ";
        String longest = prefix + "x".repeat(107 - 2 - prefix.length()) + "\r\n";
        assertEquals(107, longest.length());
        assertEquals(ProxyProtocol.Header.VALID, of(longest));
        assertEquals(ProxyProtocol.Header.MALFORMED, of(prefix + "x".repeat(107 - 1 - prefix.length()) + "\r\n"));
        assertEquals(ProxyProtocol.Header.MALFORMED, of("PROXY TCP4 " + "1".repeat(200)), "no CRLF in time");
    }

    @Test
    void aLineStillArrivingIsWaitedForAndOtherBytesAreNoV1Line() {
        assertEquals(ProxyProtocol.Header.INCOMPLETE, of("PRO"));
        assertEquals(ProxyProtocol.Header.INCOMPLETE, of("PROXY TCP4 203.0."));
        assertEquals(ProxyProtocol.Header.ABSENT, of("POST / HTTP/1.1\r\n"));
        assertEquals(ProxyProtocol.Header.ABSENT, of("GET / HTTP/1.1\r\n"));
        assertEquals(ProxyProtocol.Header.ABSENT, of("\r\nGET / HTTP/1.1\r\n"));
        assertEquals(ProxyProtocol.Header.INCOMPLETE, of(""));
        assertEquals(ProxyProtocol.Header.INCOMPLETE, of("\r\n\r\n\u0000\r\nQUIT\n"), "a v2 signature, no more yet");
        assertEquals(ProxyProtocol.Header.INCOMPLETE, of(V2_SIGNATURE + "\u0021\u0011"));
    }

    private static final String V2_SIGNATURE = "\r\n\r\n\u0000\r\nQUIT\n";

    /** A v2 header: its version and command, family and protocol, the length it gives, then {@code body} bytes. */
    private static String v2(int versionAndCommand, int familyAndProtocol, int length, int body) {
        return V2_SIGNATURE + (char) versionAndCommand + (char) familyAndProtocol + (char) (length >> 8)
                + (char) (length & 0xFF) + "\u0000".repeat(body);
    }

    @Test
    void aV2HeaderMustBeOfVersion2AndLongEnoughForItsAddresses() {
        assertEquals(ProxyProtocol.Header.VALID, of(v2(0x21, 0x11, 12, 12)), "TCP over IPv4");
        assertEquals(ProxyProtocol.Header.VALID, of(v2(0x21, 0x21, 36, 36)), "TCP over IPv6");
        assertEquals(ProxyProtocol.Header.VALID, of(v2(0x21, 0x11, 12 + 7, 0)), "with TLVs, not all here yet: "
                + "Jetty waits for them");
        assertEquals(ProxyProtocol.Header.VALID, of(v2(0x20, 0x00, 0, 0)), "LOCAL: the load balancer's own check");
        assertEquals(ProxyProtocol.Header.VALID, of(v2(0x21, 0x00, 0, 0)), "UNSPEC: the connection's addresses");

        assertEquals(ProxyProtocol.Header.MALFORMED, of(v2(0x21, 0x11, 4, 4)), "IPv4 addresses in 4 bytes");
        assertEquals(ProxyProtocol.Header.MALFORMED, of(v2(0x21, 0x21, 12, 12)), "IPv6 addresses in 12 bytes");
        assertEquals(ProxyProtocol.Header.MALFORMED, of(v2(0x31, 0x11, 12, 12)), "version 3");
        assertEquals(ProxyProtocol.Header.MALFORMED, of(v2(0x22, 0x11, 12, 12)), "an unknown command");
        assertEquals(ProxyProtocol.Header.MALFORMED, of(v2(0x21, 0x41, 12, 12)), "an unknown family");
    }
}
