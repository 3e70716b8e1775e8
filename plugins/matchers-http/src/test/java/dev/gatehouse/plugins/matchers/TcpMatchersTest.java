package dev.gatehouse.plugins.matchers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.TcpMatchContext;
import dev.gatehouse.api.TcpMatcher;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Traefik's TCP matchers (pkg/muxer/tcp/matcher_test.go's cases): what each matches, and what it refuses. */
class TcpMatchersTest {

    private record Connection(String serverName, List<String> alpnProtocols, InetAddress clientAddress, int localPort)
            implements TcpMatchContext {
    }

    private static Connection tls(String serverName, String... alpn) throws UnknownHostException {
        return new Connection(serverName, List.of(alpn), InetAddress.getByName("10.0.0.1"), 443);
    }

    private static Connection from(String ip) throws UnknownHostException {
        return new Connection(null, List.of(), InetAddress.getByName(ip), 5432);
    }

    static Stream<Arguments> matches() throws Exception {
        return Stream.of(
                Arguments.of(new TcpHostSniMatcher(), "*", from("10.0.0.1"), true),
                Arguments.of(new TcpHostSniMatcher(), "*", tls(null), true),
                Arguments.of(new TcpHostSniMatcher(), "foobar", tls("foobar"), true),
                Arguments.of(new TcpHostSniMatcher(), "FooBar", tls("foobar"), true),
                Arguments.of(new TcpHostSniMatcher(), "foobar.", tls("foobar"), true),
                Arguments.of(new TcpHostSniMatcher(), "foobar", tls("bar"), false),
                Arguments.of(new TcpHostSniMatcher(), "foobar", tls(null), false),
                Arguments.of(new TcpHostSniMatcher(), "*.example.com", tls("a.example.com"), true),
                Arguments.of(new TcpHostSniMatcher(), "*.example.com", tls("a.b.example.com"), false),
                Arguments.of(new TcpHostSniMatcher(), "*.example.com", tls("example.com"), false),
                Arguments.of(new TcpHostSniRegexpMatcher(), "^[a-z]+\\.example\\.com$", tls("db.example.com"), true),
                Arguments.of(new TcpHostSniRegexpMatcher(), "^[a-z]+\\.example\\.com$", tls("db1.example.com"), false),
                Arguments.of(new TcpHostSniRegexpMatcher(), "example", tls("www.example.org"), true),
                Arguments.of(new TcpClientIpMatcher(), "10.0.0.0/8", from("10.1.2.3"), true),
                Arguments.of(new TcpClientIpMatcher(), "10.0.0.0/8", from("11.1.2.3"), false),
                Arguments.of(new TcpClientIpMatcher(), "::1", from("::1"), true),
                Arguments.of(new TcpAlpnMatcher(), "h2", tls("x", "h2", "http/1.1"), true),
                Arguments.of(new TcpAlpnMatcher(), "h2", tls("x", "http/1.1"), false),
                Arguments.of(new TcpAlpnMatcher(), "h2", from("10.0.0.1"), false));
    }

    @ParameterizedTest
    @MethodSource("matches")
    void matchesAsTraefik(TcpMatcher matcher, String argument, Connection connection, boolean expected) {
        assertEquals(expected, matcher.compile(List.of(argument)).test(connection),
                matcher.name() + "(`" + argument + "`) on " + connection);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(new TcpHostSniMatcher(), List.of("a", "b"), "HostSNI expects 1 argument, got 2"),
                Arguments.of(new TcpHostSniMatcher(), List.of("not a host"), "is not a valid host name"),
                Arguments.of(new TcpHostSniRegexpMatcher(), List.of("(unclosed"), "is invalid"),
                Arguments.of(new TcpHostSniRegexpMatcher(), List.of("é"), "non-ASCII"),
                Arguments.of(new TcpClientIpMatcher(), List.of("10.0.0.300"), "10.0.0.300"),
                Arguments.of(new TcpAlpnMatcher(), List.of("acme-tls/1"), "is not allowed"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void refusesWhatTraefikRefuses(TcpMatcher matcher, List<String> arguments, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> matcher.compile(arguments));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
