package dev.gatehouse.plugins.acme.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code provider: rfc2136} against a real BIND with TSIG (see {@link TestDnsServer}). */
class Rfc2136ProviderTest {

    @TempDir
    Path dir;

    private static DnsProvider provider(Map<String, String> env) {
        return DnsProviders.create("rfc2136", new LegoEnvironment(env::get));
    }

    @Test
    void anUpdateSignedWithTheServersKeyIsServedAndCleanedUp() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        DnsProvider rfc2136 = provider(dns.rfc2136());
        ChallengeRecord record = ChallengeRecord.of("accepted.example.test", "token1", "token1.thumbprint");
        assertEquals("_acme-challenge.accepted.example.test.", record.fqdn());

        rfc2136.present(record);
        assertEquals(List.of(record.value()), dns.txt(record.fqdn()));

        // A second present replaces what was left over (lego removes the old TXT set first).
        ChallengeRecord next = ChallengeRecord.of("accepted.example.test", "token2", "token2.thumbprint");
        rfc2136.present(next);
        assertEquals(List.of(next.value()), dns.txt(record.fqdn()));

        rfc2136.cleanup(next);
        assertEquals(List.of(), dns.txt(record.fqdn()));
    }

    @Test
    void anUpdateWithAWrongSecretIsRefusedWithAClearError() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        Map<String, String> env = dns.rfc2136();
        env.put("RFC2136_TSIG_SECRET", Base64.getEncoder().encodeToString(new byte[32]));
        ChallengeRecord record = ChallengeRecord.of("refused.example.test", "t", "t.k");

        IOException refused = assertThrows(IOException.class, () -> provider(env).present(record));
        String message = refused.getMessage();
        assertTrue(message.contains("refused the update of _acme-challenge.refused.example.test."), message);
        assertTrue(message.contains(dns.server), message);
        assertTrue(message.contains("NOTAUTH") && message.contains("BADSIG"), message);
        assertTrue(message.contains("RFC2136_TSIG_SECRET"), message);
        assertEquals(List.of(), dns.txt(record.fqdn()), "nothing was written");
    }

    @Test
    void anUnsignedUpdateIsRefusedByTheServer() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        IOException refused = assertThrows(IOException.class, () -> provider(Map.of("RFC2136_NAMESERVER", dns.server))
                .present(ChallengeRecord.of("unsigned.example.test", "t", "t.k")));
        assertTrue(refused.getMessage().contains("REFUSED"), refused.getMessage());
    }

    @Test
    void readsTheFileVariantsAndABindKeyFile() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        // RFC2136_TSIG_SECRET_FILE, as a Docker secret (with its final newline)
        Path secret = Files.writeString(dir.resolve("secret"), dns.secret + "\n");
        Map<String, String> env = dns.rfc2136();
        env.remove("RFC2136_TSIG_SECRET");
        env.put("RFC2136_TSIG_SECRET_FILE", secret.toString());
        ChallengeRecord viaSecretFile = ChallengeRecord.of("secretfile.example.test", "t", "t.k");
        provider(env).present(viaSecretFile);
        assertEquals(List.of(viaSecretFile.value()), dns.txt(viaSecretFile.fqdn()));

        // RFC2136_TSIG_FILE, a key file as tsig-keygen writes it
        Path keyFile = Files.writeString(dir.resolve("key.conf"), "key \"" + dns.keyName + "\" {\n\talgorithm "
                + dns.algorithm + ";\n\tsecret \"" + dns.secret + "\";\n};\n");
        ChallengeRecord viaKeyFile = ChallengeRecord.of("keyfile.example.test", "t", "t.k");
        provider(Map.of("RFC2136_NAMESERVER", dns.server, "RFC2136_TSIG_FILE", keyFile.toString())).present(viaKeyFile);
        assertEquals(List.of(viaKeyFile.value()), dns.txt(viaKeyFile.fqdn()));
    }

    @Test
    void readsLegosTimingVariables() {
        DnsProvider.Timing timing = provider(Map.of("RFC2136_NAMESERVER", "127.0.0.1:1053",
                "RFC2136_PROPAGATION_TIMEOUT", "30", "RFC2136_POLLING_INTERVAL", "3", "RFC2136_SEQUENCE_INTERVAL", "5"))
                .timing();
        assertEquals(new DnsProvider.Timing(Duration.ofSeconds(30), Duration.ofSeconds(3), Duration.ofSeconds(5)), timing);
        assertEquals(new DnsProvider.Timing(Duration.ofSeconds(60), Duration.ofSeconds(2), Duration.ofSeconds(60)),
                provider(Map.of("RFC2136_NAMESERVER", "ns.example.test")).timing(), "lego's defaults");
    }

    @Test
    void configurationErrorsNameTheVariable() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> provider(Map.of()));
        assertTrue(missing.getMessage().contains("RFC2136_NAMESERVER"), missing.getMessage());
        IllegalArgumentException algorithm = assertThrows(IllegalArgumentException.class, () -> provider(Map.of(
                "RFC2136_NAMESERVER", "127.0.0.1", "RFC2136_TSIG_KEY", "k.", "RFC2136_TSIG_SECRET", "c2VjcmV0",
                "RFC2136_TSIG_ALGORITHM", "hmac-md4.")));
        assertTrue(algorithm.getMessage().contains("RFC2136_TSIG_ALGORITHM 'hmac-md4.' is not supported"), algorithm.getMessage());
        IllegalArgumentException ttl = assertThrows(IllegalArgumentException.class,
                () -> provider(Map.of("RFC2136_NAMESERVER", "127.0.0.1", "RFC2136_TTL", "two minutes")));
        assertTrue(ttl.getMessage().contains("RFC2136_TTL"), ttl.getMessage());
        assertFalse(ttl.getMessage().contains("NumberFormatException"), ttl.getMessage());
    }

    /**
     * Malformed values are refused at start with the variable named (lego falls back to its default for a
     * malformed number, or fails at the first update; see docs/differences-from-traefik.md).
     */
    @Test
    void malformedVariablesAreRefusedNamingTheVariable() throws IOException {
        Map<String, String> signed = Map.of("RFC2136_NAMESERVER", "127.0.0.1", "RFC2136_TSIG_KEY", "k.");
        assertRefused("RFC2136_NAMESERVER: '127.0.0.1:dns' is not a DNS server address",
                Map.of("RFC2136_NAMESERVER", "127.0.0.1:dns"));
        assertRefused("RFC2136_NAMESERVER: '[::1' is not a DNS server address", Map.of("RFC2136_NAMESERVER", "[::1"));
        assertRefused("RFC2136_NAMESERVER: '127.0.0.1:70000' is not a DNS server address",
                Map.of("RFC2136_NAMESERVER", "127.0.0.1:70000"));
        assertRefused("RFC2136_TSIG_SECRET cannot be used", with(signed, "RFC2136_TSIG_SECRET", "not base64 at all!"));
        assertRefused("RFC2136_TSIG_ALGORITHM 'sha256' is not supported",
                with(with(signed, "RFC2136_TSIG_SECRET", "c2VjcmV0"), "RFC2136_TSIG_ALGORITHM", "sha256"));
        Path notAKeyFile = Files.writeString(dir.resolve("named.conf"), "options { directory \"/var/cache/bind\"; };\n");
        assertRefused("RFC2136_TSIG_FILE " + notAKeyFile + " is not a TSIG key file",
                Map.of("RFC2136_NAMESERVER", "127.0.0.1", "RFC2136_TSIG_FILE", notAKeyFile.toString()));
        assertRefused("RFC2136_TSIG_FILE " + dir.resolve("missing.key") + " cannot be read",
                Map.of("RFC2136_NAMESERVER", "127.0.0.1", "RFC2136_TSIG_FILE", dir.resolve("missing.key").toString()));
        // lego's durations are whole seconds: a Go duration or a negative number is not one
        for (String variable : List.of("RFC2136_PROPAGATION_TIMEOUT", "RFC2136_POLLING_INTERVAL",
                "RFC2136_SEQUENCE_INTERVAL", "RFC2136_DNS_TIMEOUT", "RFC2136_TIMEOUT")) {
            for (String value : List.of("60s", "-1", "1.5")) {
                assertRefused("the environment variable " + variable + " is '" + value + "': expected a whole number",
                        Map.of("RFC2136_NAMESERVER", "127.0.0.1", variable, value));
            }
        }
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> copy = new java.util.HashMap<>(env);
        copy.put(name, value);
        return copy;
    }

    private static void assertRefused(String expected, Map<String, String> env) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> provider(env), env::toString);
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
        assertFalse(refused.getMessage().contains("Exception"), refused.getMessage());
    }
}
