package dev.gatehouse.plugins.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.acme.AcmeConfig.DnsChallenge;
import dev.gatehouse.plugins.acme.AcmeConfig.Propagation;
import dev.gatehouse.plugins.acme.dns.PropagationCheck.Settings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@code dnsChallenge}'s keys as Traefik v3 turns them into lego's options (pkg/provider/acme/provider.go and the
 * deprecation handling of pkg/config/static/static_config.go).
 */
class DnsChallengeConfigTest {

    private static final List<InetSocketAddress> RESOLVER = List.of(new InetSocketAddress("127.0.0.1", 5353));

    static Stream<Arguments> traefikMeaning() {
        return Stream.of(
                Arguments.of("no propagation section: lego's defaults, every resolver and nameserver",
                        new DnsChallenge("rfc2136", List.of("127.0.0.1:5353"), null, null, null),
                        new Settings(RESOLVER, true, true, Duration.ZERO, false)),
                Arguments.of("a propagation section: the resolvers only with requireAllRNS",
                        new DnsChallenge("rfc2136", List.of("127.0.0.1:5353"), new Propagation(null, null, null, null), null, null),
                        new Settings(RESOLVER, false, true, Duration.ZERO, false)),
                Arguments.of("requireAllRNS and disableANSChecks",
                        new DnsChallenge("exec", List.of("127.0.0.1:5353"), new Propagation(null, true, true, null), null, null),
                        new Settings(RESOLVER, true, false, Duration.ZERO, false)),
                Arguments.of("delayBeforeChecks and disableChecks",
                        new DnsChallenge("exec", List.of("127.0.0.1:5353"),
                                new Propagation(true, null, null, Duration.ofSeconds(5)), null, null),
                        new Settings(RESOLVER, false, true, Duration.ofSeconds(5), true)),
                Arguments.of("deprecated delayBeforeCheck makes a propagation section",
                        new DnsChallenge("httpreq", List.of("127.0.0.1:5353"), null, Duration.ofSeconds(7), null),
                        new Settings(RESOLVER, false, true, Duration.ofSeconds(7), false)),
                Arguments.of("deprecated disablePropagationCheck",
                        new DnsChallenge("httpreq", List.of("127.0.0.1:5353"), new Propagation(null, null, true, null), null, true),
                        new Settings(RESOLVER, true, true, Duration.ZERO, true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void traefikMeaning(String description, DnsChallenge challenge, Settings expected) {
        assertEquals(expected, challenge.propagationSettings());
    }

    @Test
    void theDeprecatedKeysAreNamedForTheWarning() {
        assertEquals(List.of("disablePropagationCheck (use propagation.disableChecks)",
                        "delayBeforeCheck (use propagation.delayBeforeChecks)"),
                new DnsChallenge("exec", null, null, Duration.ofSeconds(1), true).deprecatedKeys());
    }

    @Test
    void otherProvidersAndBadResolversAreConfigurationErrors() {
        IllegalArgumentException cloudflare = assertThrows(IllegalArgumentException.class,
                () -> new DnsChallenge("cloudflare", null, null, null, null));
        assertTrue(cloudflare.getMessage().startsWith("provider 'cloudflare' is unsupported: Gatehouse supports "
                + "exec, httpreq, rfc2136"), cloudflare.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new DnsChallenge(null, null, null, null, null));
        assertTrue(none.getMessage().startsWith("dnsChallenge needs a provider"), none.getMessage());
        IllegalArgumentException resolver = assertThrows(IllegalArgumentException.class,
                () -> new DnsChallenge("rfc2136", List.of("1.1.1.1:dns"), null, null, null));
        assertTrue(resolver.getMessage().contains("'1.1.1.1:dns' is not a DNS server address"), resolver.getMessage());
        assertTrue(resolver.getMessage().startsWith("dnsChallenge.resolvers: "), "names the key: " + resolver.getMessage());
    }
}
