package dev.gatehouse.plugins.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.acme.dns.ChallengeRecord;
import dev.gatehouse.plugins.acme.dns.DnsProviders;
import dev.gatehouse.plugins.acme.dns.LegoEnvironment;
import dev.gatehouse.plugins.acme.dns.PropagationCheck;
import dev.gatehouse.plugins.acme.dns.TestDnsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Publishing, waiting and cleaning up one DNS-01 record, against the real DNS server. */
class DnsChallengeSolverTest {

    @Test
    void followsTheCnameOfTheChallengeNameAsLegoDoes() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        // scripts/dns-server.sh: _acme-challenge.alias.example.test is a CNAME for _acme-challenge.delegated.example.test
        DnsChallengeSolver solver = new DnsChallengeSolver("le", "rfc2136",
                DnsProviders.create("rfc2136", new LegoEnvironment(dns.rfc2136()::get)), dns.check(), true);
        String value = ChallengeRecord.of("alias.example.test", "tok", "tok.thumb").value();
        try (DnsChallengeSolver.Published published = solver.publish("*.alias.example.test", "tok", "tok.thumb")) {
            assertEquals(List.of(value), dns.txt("_acme-challenge.delegated.example.test."));
        }
        assertEquals(List.of(), dns.txt("_acme-challenge.delegated.example.test."), "removed on close");
    }

    @Test
    void aRecordThatNeverBecomesVisibleIsRemovedAndTheErrorNamesTheResolver() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        Map<String, String> env = Map.of("EXEC_PATH", "/bin/true", "EXEC_PROPAGATION_TIMEOUT", "2",
                "EXEC_POLLING_INTERVAL", "1");
        DnsChallengeSolver solver = new DnsChallengeSolver("le", "exec",
                DnsProviders.create("exec", new LegoEnvironment(env::get)), dns.check(), true);
        IOException failed = assertThrows(IOException.class, () -> solver.publish("silent.example.test", "t", "t.k"));
        assertTrue(failed.getMessage().startsWith("DNS-01 for silent.example.test: the TXT record "
                + "_acme-challenge.silent.example.test."), failed.getMessage());
        assertTrue(failed.getMessage().contains("the resolver " + dns.server + " answers NXDOMAIN"), failed.getMessage());
        assertTrue(failed.getMessage().contains("raise EXEC_PROPAGATION_TIMEOUT"), failed.getMessage());
    }

    @Test
    void challengesOfOneOrderAreSpacedByTheSequenceIntervalAndANewOrderIsNot() throws Exception {
        Map<String, String> env = Map.of("EXEC_PATH", "/bin/true", "EXEC_SEQUENCE_INTERVAL", "1");
        PropagationCheck noCheck = new PropagationCheck(new PropagationCheck.Settings(
                List.of(new InetSocketAddress("127.0.0.1", 9)), false, false, Duration.ZERO, true), Duration.ofSeconds(1));
        DnsChallengeSolver solver = new DnsChallengeSolver("le", "exec",
                DnsProviders.create("exec", new LegoEnvironment(env::get)), noCheck, false);
        solver.beginOrder();
        solver.publish("example.test", "t", "t.k").close();
        long start = System.nanoTime();
        solver.publish("*.example.test", "t2", "t2.k").close();
        long spaced = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(spaced >= 900, "the second challenge of an order waits EXEC_SEQUENCE_INTERVAL: " + spaced + " ms");

        solver.beginOrder();
        start = System.nanoTime();
        solver.publish("other.test", "t3", "t3.k").close();
        long first = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(first < 900, "a new order's first challenge does not wait: " + first + " ms");
    }
}
