package dev.gatehouse.plugins.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.acme.dns.ChallengeRecord;
import dev.gatehouse.plugins.acme.dns.DnsProviders;
import dev.gatehouse.plugins.acme.dns.LegoEnvironment;
import dev.gatehouse.plugins.acme.dns.TestDnsServer;
import java.io.IOException;
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
}
