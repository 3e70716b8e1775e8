package dev.gatehouse.plugins.acme.dns;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real authoritative DNS server test.sh starts (scripts/dns-server.sh: BIND serving example.test, TSIG-signed
 * updates), found through its IT_DNS_* variables. Without it the tests are skipped, except under test.sh
 * (IT_DNS_TESTS=required), where they fail.
 */
public final class TestDnsServer {

    public final String server = System.getenv("IT_DNS_SERVER");
    public final String zone = System.getenv("IT_DNS_ZONE");
    public final String keyName = System.getenv("IT_DNS_TSIG_KEY");
    public final String secret = System.getenv("IT_DNS_TSIG_SECRET");
    public final String algorithm = System.getenv("IT_DNS_TSIG_ALGORITHM");
    public final String setTxtScript = System.getenv("IT_DNS_SET_TXT");

    public static TestDnsServer require() {
        TestDnsServer dns = new TestDnsServer();
        if (dns.server == null && "required".equals(System.getenv("IT_DNS_TESTS"))) {
            fail("IT_DNS_TESTS=required but no DNS server runs (test.sh starts one with scripts/dns-server.sh)");
        }
        assumeTrue(dns.server != null, "no DNS server (test.sh starts BIND with scripts/dns-server.sh)");
        return dns;
    }

    /** lego's rfc2136 variables for this server and key. */
    public Map<String, String> rfc2136() {
        Map<String, String> env = new HashMap<>();
        env.put("RFC2136_NAMESERVER", server);
        env.put("RFC2136_TSIG_KEY", keyName);
        env.put("RFC2136_TSIG_SECRET", secret);
        env.put("RFC2136_TSIG_ALGORITHM", algorithm + ".");
        return env;
    }

    public InetSocketAddress address() {
        return DnsClient.address(server);
    }

    /** The TXT values the server answers for {@code fqdn}. */
    public List<String> txt(String fqdn) {
        return new DnsClient(Duration.ofSeconds(5)).txt(address(), fqdn).values();
    }

    /** A check that requires the record at this server (as {@code resolvers: [server]} and {@code requireAllRNS}). */
    public PropagationCheck check() {
        return new PropagationCheck(new PropagationCheck.Settings(List.of(address()), true, false, Duration.ZERO, false),
                Duration.ofSeconds(5));
    }

    static DnsProvider.Timing quick() {
        return new DnsProvider.Timing(Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ZERO);
    }

    /** Waits until the server shows {@code record} (bounded by {@link #quick()}); fails otherwise. */
    void awaitVisible(ChallengeRecord record) throws IOException, InterruptedException {
        check().await(record, quick(), "TEST_PROPAGATION_TIMEOUT");
    }
}
