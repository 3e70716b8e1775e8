package dev.gatehouse.plugins.acme.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.xbill.DNS.Name;

/**
 * Waits until the challenge's TXT record is visible before the CA is asked to look, as lego's pre-check does in
 * Traefik: by default at every authoritative nameserver of the record's zone and at every recursive resolver
 * ({@code dnsChallenge.resolvers}, else the system's); {@code propagation.disableANSChecks} skips the first,
 * a {@code propagation} section without {@code requireAllRNS} skips the second, {@code propagation.disableChecks}
 * both. {@code propagation.delayBeforeChecks} is waited first in every case.
 *
 * <p>The zone and its nameservers are found through the resolvers; the nameservers are asked on port 53.
 */
public final class PropagationCheck {

    /**
     * @param resolvers the recursive resolvers (used to find the zone, and checked when {@code requireAllResolvers})
     * @param requireAllResolvers every resolver must answer with the value
     * @param requireAuthoritative every authoritative nameserver of the zone must answer with the value
     * @param delay waited before the first look
     * @param disabled no look at all (after the delay)
     */
    public record Settings(List<InetSocketAddress> resolvers, boolean requireAllResolvers, boolean requireAuthoritative,
            Duration delay, boolean disabled) {
        public Settings {
            resolvers = List.copyOf(resolvers);
            Objects.requireNonNull(delay, "delay");
        }
    }

    private final Settings settings;
    private final DnsClient dns;

    public PropagationCheck(Settings settings, Duration queryTimeout) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.dns = new DnsClient(queryTimeout);
    }

    /** A {@code resolvers} entry: {@code host}, {@code host:port} or {@code [v6]:port} (port 53 by default). */
    public static InetSocketAddress resolverAddress(String hostAndPort) {
        return DnsClient.address("dnsChallenge.resolvers", hostAndPort);
    }

    /** The system's recursive resolvers (/etc/resolv.conf), used when {@code resolvers} is empty, as lego. */
    public static List<InetSocketAddress> systemResolvers() {
        return DnsClient.systemResolvers();
    }

    /** {@code fqdn}, or the end of its CNAME chain at the resolvers (see {@link DnsClient#followCnames}). */
    public String followCnames(String fqdn) throws IOException {
        return dns.followCnames(fqdn, settings.resolvers());
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Returns once {@code record} is visible where required; throws, naming the domain, the server and what it
     * answered last, when it is not within {@code timing.propagationTimeout()} (after the delay).
     *
     * @param timeoutVariable the variable that sets the timeout, named in the error (RFC2136_PROPAGATION_TIMEOUT)
     */
    public void await(ChallengeRecord record, DnsProvider.Timing timing, String timeoutVariable)
            throws IOException, InterruptedException {
        if (!settings.delay().isZero()) {
            Thread.sleep(settings.delay().toMillis());
        }
        if (settings.disabled()) {
            return;
        }
        long deadline = System.nanoTime() + timing.propagationTimeout().toNanos();
        String missing;
        while ((missing = missing(record)) != null) {
            if (System.nanoTime() + timing.pollingInterval().toNanos() > deadline) {
                throw new DnsChallengeException("DNS-01 for " + record.domain() + ": the TXT record " + record.fqdn() + " \""
                        + record.value() + "\" was not visible within " + timing.propagationTimeout().toSeconds()
                        + " s: " + missing + " (raise " + timeoutVariable
                        + ", or check the DNS provider and dnsChallenge.resolvers / propagation)");
            }
            Thread.sleep(Math.max(1, timing.pollingInterval().toMillis()));
        }
    }

    /** Null when {@code record} is visible where required; else which server does not show it, and its answer. */
    String missing(ChallengeRecord record) {
        if (settings.requireAllResolvers()) {
            for (InetSocketAddress resolver : settings.resolvers()) {
                DnsClient.TxtAnswer answer = dns.txt(resolver, record.fqdn());
                if (!answer.values().contains(record.value())) {
                    return "the resolver " + DnsClient.display(resolver) + " answers " + answer;
                }
            }
        }
        if (settings.requireAuthoritative()) {
            List<InetSocketAddress> authoritative;
            try {
                authoritative = authoritativeServers(record.fqdn());
            } catch (IOException e) {
                return "cannot find the authoritative nameservers of " + record.fqdn() + " through the resolvers "
                        + settings.resolvers().stream().map(DnsClient::display).toList() + ": " + e.getMessage();
            }
            for (InetSocketAddress server : authoritative) {
                DnsClient.TxtAnswer answer = dns.txt(server, record.fqdn());
                if (!answer.values().contains(record.value())) {
                    return "the authoritative nameserver " + server.getHostString() + " ("
                            + DnsClient.display(server) + ") answers " + answer;
                }
            }
        }
        return null;
    }

    private List<InetSocketAddress> authoritativeServers(String fqdn) throws IOException {
        Name zone = dns.findZone(fqdn, settings.resolvers());
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String nameserver : dns.nameservers(zone, settings.resolvers())) {
            for (InetAddress address : dns.addresses(nameserver, settings.resolvers())) {
                servers.add(new InetSocketAddress(InetAddress.getByAddress(nameserver, address.getAddress()), 53));
            }
        }
        return servers;
    }
}
