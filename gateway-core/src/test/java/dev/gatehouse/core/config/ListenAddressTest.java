package dev.gatehouse.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenAddressTest {

    @ParameterizedTest(name = "{0} -> host {1}, port {2}")
    @CsvSource(nullValues = "null", value = {
            ":8000, null, 8000",
            "0.0.0.0:80, 0.0.0.0, 80",
            "localhost:8080, localhost, 8080",
            "[::1]:443, ::1, 443",
            "[::]:443, ::, 443",
            ":0, null, 0",
            ":8000/tcp, null, 8000",
            "' :9000 ', null, 9000",
    })
    void parsesTheForms(String address, String host, int port) {
        assertEquals(new ListenAddress(host, port), ListenAddress.parse("web", address));
    }

    @ParameterizedTest(name = "{0} -> UDP on host {1}, port {2}")
    @CsvSource(nullValues = "null", value = {
            ":53/udp, null, 53",
            "127.0.0.1:5353/UDP, 127.0.0.1, 5353",
            "[::1]:53/udp, ::1, 53",
    })
    void parsesUdpAddresses(String address, String host, int port) {
        assertEquals(new ListenAddress(host, port, true), ListenAddress.parse("dns", address));
    }

    @ParameterizedTest(name = "''{0}'' is refused: {1}")
    @CsvSource(nullValues = "null", value = {
            "null, has no address",
            "'', has no address",
            "8000, missing ':port'",
            "localhost, missing ':port'",
            ":http, port must be a number",
            ":65536, port must be a number",
            ":, port must be a number",
            "::1:80, IPv6 address in brackets",
            "[::1]80, expected [ipv6]:port",
            ":80/sctp, unknown protocol",
    })
    void refusesBadAddressesNamingTheEntryPoint(String address, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ListenAddress.parse("websecure", address));
        assertTrue(e.getMessage().contains("entry point 'websecure'"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
