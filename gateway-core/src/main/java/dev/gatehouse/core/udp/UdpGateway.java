package dev.gatehouse.core.udp;

import dev.gatehouse.core.config.GoDurations;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The UDP entry points of the gateway: opened with the static configuration, routed by each configuration applied
 * ({@link #apply}), stopped with the gateway. UDP is not served by Jetty: each entry point has its own thread
 * ({@link UdpEntryPoint}).
 */
public final class UdpGateway {

    private final Map<String, UdpEntryPoint> entryPoints = new LinkedHashMap<>();
    private volatile UdpRouting routing = UdpRouting.EMPTY;

    private UdpGateway() {
    }

    /** A gateway without UDP entry points. */
    public static UdpGateway none() {
        return new UdpGateway();
    }

    /**
     * Opens the sockets of the UDP entry points (they serve once {@link #start()} is called).
     *
     * @throws IOException naming the entry point and its address when one cannot be opened; the others are closed
     */
    public static UdpGateway open(List<UdpEntryPointSpec> specs) throws IOException {
        UdpGateway gateway = new UdpGateway();
        for (UdpEntryPointSpec spec : specs) {
            try {
                gateway.entryPoints.put(spec.name(), new UdpEntryPoint(spec));
            } catch (IOException e) {
                gateway.entryPoints.values().forEach(UdpEntryPoint::stop);
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                String lower = reason.toLowerCase(java.util.Locale.ROOT);
                String fix = "give the entry point another address (--entryPoints." + spec.name() + ".address=:PORT/udp)";
                String detail = lower.contains("in use") ? "address already in use; stop what listens there or " + fix
                        : lower.contains("permission denied") || lower.contains("access denied")
                                ? "permission denied (ports below 1024 need root or the CAP_NET_BIND_SERVICE "
                                        + "capability); " + fix
                                : reason;
                throw new IOException("cannot listen on entry point " + spec.name() + " (" + spec.address() + "): "
                        + detail, e);
            }
        }
        return gateway;
    }

    public void start() {
        entryPoints.values().forEach(UdpEntryPoint::start);
    }

    /** Routes new sessions as {@code next} says; sessions to servers that {@code next} no longer has are closed. */
    public void apply(UdpRouting next) {
        routing = next;
        entryPoints.forEach((name, entryPoint) -> entryPoint.route(next.route(name)));
    }

    /** The routing applied last, for the API. */
    public UdpRouting routing() {
        return routing;
    }

    public boolean has(String entryPoint) {
        return entryPoints.containsKey(entryPoint);
    }

    UdpEntryPoint entryPoint(String name) {
        return entryPoints.get(name);
    }

    /** By UDP entry point, the sessions open now: its open connections, for the metrics. */
    public Map<String, Integer> sessions() {
        Map<String, Integer> sessions = new LinkedHashMap<>();
        entryPoints.forEach((name, entryPoint) -> sessions.put(name, entryPoint.stats().sessions()));
        return sessions;
    }

    /** The counters of a UDP entry point now. */
    UdpEntryPoint.Stats stats(String entryPoint) {
        return entryPoints.get(entryPoint).stats();
    }

    /** The port a UDP entry point listens on (the one the system chose for port 0). */
    public int port(String entryPoint) {
        UdpEntryPoint found = entryPoints.get(entryPoint);
        if (found == null) {
            throw new IllegalArgumentException("no UDP entry point " + entryPoint);
        }
        return found.port();
    }

    /**
     * The UDP entry points as {@code /api/entrypoints} shows them: Traefik's {@code name}, {@code address} and
     * {@code udp.timeout}, with Gatehouse's session counts under {@code udp}.
     */
    public List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        entryPoints.forEach((name, entryPoint) -> {
            UdpEntryPoint.Stats stats = entryPoint.stats();
            Map<String, Object> udp = new LinkedHashMap<>();
            udp.put("timeout", GoDurations.format(entryPoint.spec().idleTimeout()));
            udp.put("maxSessions", entryPoint.spec().maxSessions());
            udp.put("sessions", stats.sessions());
            udp.put("sessionsOpened", stats.opened());
            udp.put("sessionsRefused", stats.refused());
            udp.put("datagramsDropped", stats.dropped());
            Map<String, Object> element = new LinkedHashMap<>();
            element.put("name", name);
            element.put("address", entryPoint.spec().address());
            element.put("port", entryPoint.port());
            element.put("udp", udp);
            out.add(element);
        });
        return out;
    }

    /** The start log's words for the UDP entry points: {@code , entry point dns on udp://localhost:53}. */
    public String describeForLog() {
        StringBuilder text = new StringBuilder();
        entryPoints.forEach((name, entryPoint) -> {
            String host = entryPoint.spec().host() == null ? "localhost" : entryPoint.spec().host();
            text.append(", entry point ").append(name).append(" on udp://")
                    .append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(entryPoint.port());
        });
        return text.toString();
    }

    /** Closes every UDP entry point and its sessions. */
    public void stop() {
        entryPoints.values().forEach(UdpEntryPoint::stop);
    }
}
