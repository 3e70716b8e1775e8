package dev.gatehouse.plugins.acme.dns;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wait for the TXT record before the CA is asked, against the real DNS server. */
class PropagationCheckTest {

    @Test
    void returnsOnceTheRecordIsVisibleAtTheResolvers() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        ChallengeRecord record = ChallengeRecord.of("visible.example.test", "t", "t.k");
        DnsProvider rfc2136 = DnsProviders.create("rfc2136", new LegoEnvironment(dns.rfc2136()::get));
        assertTrue(dns.check().missing(record).contains("NXDOMAIN"), dns.check().missing(record));
        rfc2136.present(record);
        assertNull(dns.check().missing(record));
        rfc2136.cleanup(record);
    }

    @Test
    void aRecordThatNeverAppearsFailsAtTheTimeoutNamingTheDomainAndTheResolver() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        ChallengeRecord record = ChallengeRecord.of("never.example.test", "t", "t.k");
        DnsProvider.Timing timing = new DnsProvider.Timing(Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ZERO);
        long start = System.nanoTime();
        IOException timedOut = assertThrows(IOException.class,
                () -> dns.check().await(record, timing, "EXEC_PROPAGATION_TIMEOUT"));
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertTrue(seconds >= 1 && seconds < 10, "bounded by the timeout: " + seconds + " s");
        String message = timedOut.getMessage();
        assertTrue(message.startsWith("DNS-01 for never.example.test: the TXT record _acme-challenge.never.example.test."),
                message);
        assertTrue(message.contains("not visible within 2 s: the resolver " + dns.server + " answers NXDOMAIN"), message);
        assertTrue(message.contains("raise EXEC_PROPAGATION_TIMEOUT"), message);
    }

    @Test
    void theAuthoritativeCheckFindsTheZonesNameserversThroughTheResolvers() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        // The test zone's NS is ns.example.test at 127.0.0.1, asked on port 53 as lego asks it: the check names it.
        PropagationCheck authoritative = new PropagationCheck(new PropagationCheck.Settings(List.of(dns.address()),
                false, true, Duration.ZERO, false), Duration.ofMillis(500));
        String missing = authoritative.missing(ChallengeRecord.of("ans.example.test", "t", "t.k"));
        assertTrue(missing != null && missing.startsWith("the authoritative nameserver ns.example.test. (127.0.0.1:53) answers"),
                missing);
    }

    @Test
    void disabledChecksOnlyWaitTheDelay() throws Exception {
        PropagationCheck disabled = new PropagationCheck(new PropagationCheck.Settings(
                List.of(DnsClient.address("127.0.0.1:9")), true, true, Duration.ofMillis(300), true), Duration.ofSeconds(1));
        long start = System.nanoTime();
        disabled.await(ChallengeRecord.of("any.example.test", "t", "t.k"),
                new DnsProvider.Timing(Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ZERO), "X");
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(millis >= 300 && millis < 5000, millis + " ms");
    }

    @Test
    void lookupsWithoutTheTestServerStillParseAddresses() {
        assertTrue(DnsClient.address("[::1]:5353").getPort() == 5353);
        assertTrue(DnsClient.address("1.1.1.1").getPort() == 53);
        assertThrows(IllegalArgumentException.class, () -> DnsClient.address("1.1.1.1:dns"));
    }
}
