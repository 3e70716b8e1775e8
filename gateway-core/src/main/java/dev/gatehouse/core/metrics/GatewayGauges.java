package dev.gatehouse.core.metrics;

import dev.gatehouse.core.dynamic.ProviderHealth;
import dev.gatehouse.core.tls.TlsManager;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What describes the gateway's state rather than its traffic, read by the pushed backends at each push and by the
 * Prometheus registry at each scrape: never stale, no bookkeeping on reload.
 *
 * @param openConnections by entry point, the connections open now
 * @param servers by service, then server URL, whether the server gets traffic (up) or not
 * @param certificates the certificates served (configured and obtained by resolvers)
 * @param udpSessions by UDP entry point, the sessions open now
 * @param providers each provider's health (Gatehouse's {@code provider_up} and {@code provider_last_update_success})
 * @param extensionCounters the counters extensions registered ({@code GatewayEnvironment.counter}), read like the
 *     gauges: the pushed backends send each series' increase since their last push
 */
public record GatewayGauges(Supplier<Map<String, Integer>> openConnections,
        Supplier<Map<String, Map<String, Boolean>>> servers, Supplier<List<TlsManager.Served>> certificates,
        Supplier<Map<String, Integer>> udpSessions, Supplier<List<ProviderHealth.Status>> providers,
        ExtensionCounters extensionCounters) {

    /** Without extension counters (none registered): for tests of the other gauges. */
    public GatewayGauges(Supplier<Map<String, Integer>> openConnections,
            Supplier<Map<String, Map<String, Boolean>>> servers, Supplier<List<TlsManager.Served>> certificates,
            Supplier<Map<String, Integer>> udpSessions, Supplier<List<ProviderHealth.Status>> providers) {
        this(openConnections, servers, certificates, udpSessions, providers, new ExtensionCounters());
    }

    /**
     * One row of {@code open.connections}: an entry point, its protocol ({@code TCP}; {@code UDP} for a UDP entry
     * point, whose sessions count as its connections) and how many are open now.
     */
    public record OpenConnections(String entryPoint, String protocol, int open) {
    }

    /** The rows of {@code open.connections}: the TCP entry points' connections, then the UDP ones' sessions. */
    public List<OpenConnections> openConnectionsByProtocol() {
        List<OpenConnections> rows = new java.util.ArrayList<>();
        openConnections.get().forEach((entryPoint, open) -> rows.add(new OpenConnections(entryPoint, "TCP", open)));
        udpSessions.get().forEach((entryPoint, open) -> rows.add(new OpenConnections(entryPoint, "UDP", open)));
        return rows;
    }

    /** Before the gateway is assembled: nothing to report. */
    public static final GatewayGauges NONE = new GatewayGauges(Map::of, Map::of, List::of, Map::of, List::of);

    /** One certificate's labels and expiry, as the Prometheus registry labels them. */
    record Certificate(String commonName, String serial, String sans, long notAfterEpochSeconds) {
    }

    /** The certificates, one per distinct (CN, serial, SANs): the same certificate may be configured twice. */
    List<Certificate> distinctCertificates() {
        Map<List<String>, Certificate> distinct = new java.util.LinkedHashMap<>();
        for (TlsManager.Served served : certificates.get()) {
            Certificate certificate = new Certificate(served.commonName(),
                    served.certificate().getSerialNumber().toString(), String.join(",", served.dnsNames()),
                    served.certificate().getNotAfter().getTime() / 1000);
            distinct.putIfAbsent(List.of(certificate.commonName(), certificate.serial(), certificate.sans()), certificate);
        }
        return List.copyOf(distinct.values());
    }
}
