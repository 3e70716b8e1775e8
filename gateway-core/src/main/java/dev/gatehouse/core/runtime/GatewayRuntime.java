package dev.gatehouse.core.runtime;

import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.router.RoutingTable;
import dev.gatehouse.core.tcp.TcpRouting;
import dev.gatehouse.core.tls.TlsRuntime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything built from one configuration: a routing table per entry point (indexed like the entry
 * points), the components that were started for it, and what was found wrong. Immutable; replaced whole
 * on reload while requests in flight finish on the one they started on.
 */
public final class GatewayRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);

    public static final GatewayRuntime EMPTY = new GatewayRuntime();

    private final RoutingTable[] tables;
    private final RoutingTable[] tlsTables;
    private final TlsRuntime tls;
    private final List<LifeCycle> components;
    private final List<LifeCycle> healthChecks;
    private final List<LifeCycle> transports;
    private final RuntimeModel model;
    private final TcpRouting tcp;
    /**
     * Requests being served on this runtime, and tunnels (upgraded connections) open from it; -1 once it is
     * retired and idle, and so stopped or stopping.
     */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Set when retired: where the runtime is stopped once its last request is done. */
    private volatile Executor stopper;
    /** Set once {@link #stop()} has stopped everything: what a test of the retirement waits for. */
    private volatile boolean stopped;

    /** A runtime of these plain HTTP routing tables alone, built from no configuration (server tests). */
    GatewayRuntime(RoutingTable... tables) {
        this(tables, new RoutingTable[0], null, List.of(), List.of(), List.of(), RuntimeModel.EMPTY);
    }

    /**
     * @param tables the routers without {@code tls}, per entry point: they serve plain HTTP requests
     * @param tlsTables the routers with {@code tls}, per entry point: they serve requests that came over TLS
     * @param tls the TLS options by server name; null when TLS is not set up
     * @param model every router, service and middleware, with its status and errors
     */
    GatewayRuntime(RoutingTable[] tables, RoutingTable[] tlsTables, TlsRuntime tls, List<LifeCycle> components,
            List<LifeCycle> healthChecks, List<LifeCycle> transports, RuntimeModel model) {
        this(tables, tlsTables, tls, components, healthChecks, transports, model, TcpRouting.NONE);
    }

    /** @param tcp the TCP routers of every entry point */
    GatewayRuntime(RoutingTable[] tables, RoutingTable[] tlsTables, TlsRuntime tls, List<LifeCycle> components,
            List<LifeCycle> healthChecks, List<LifeCycle> transports, RuntimeModel model, TcpRouting tcp) {
        this.tcp = tcp;
        this.tables = tables;
        this.tlsTables = tlsTables;
        this.tls = tls;
        this.components = List.copyOf(components);
        this.healthChecks = List.copyOf(healthChecks);
        this.transports = List.copyOf(transports);
        this.model = model;
    }

    /** The table of the entry point with that index; an empty one (404 for all) if there is none. */
    public RoutingTable table(int entryPointIndex) {
        return entryPointIndex >= 0 && entryPointIndex < tables.length ? tables[entryPointIndex] : RoutingTable.EMPTY;
    }

    /**
     * The table for a request on that entry point: as in Traefik, routers with {@code tls} match only requests
     * that came over TLS, and routers without it only plain ones.
     */
    public RoutingTable table(int entryPointIndex, boolean secure) {
        RoutingTable[] chosen = secure ? tlsTables : tables;
        return entryPointIndex >= 0 && entryPointIndex < chosen.length ? chosen[entryPointIndex] : RoutingTable.EMPTY;
    }

    /**
     * The TCP routers of every entry point. A TCP connection holds nothing of the runtime it was routed with: it
     * outlives the runtime's retirement, as in Traefik.
     */
    public TcpRouting tcp() {
        return tcp;
    }

    /** The TLS options by server name, or null when TLS is not set up. */
    public TlsRuntime tls() {
        return tls;
    }

    /** Every router, service and middleware, with its configuration, origin, status and errors. */
    public RuntimeModel model() {
        return model;
    }

    /** Every problem found in the configuration, in the order found. */
    public List<ConfigProblem> problems() {
        return model.problems();
    }

    /**
     * Router name to {@code enabled}, {@code warning} (it serves, but something about it is wrong: see its
     * problems) or {@code disabled}, as Traefik reports them.
     */
    public Map<String, String> routerStatus() {
        Map<String, String> status = new TreeMap<>();
        model.routers().forEach((name, router) -> status.put(name, router.status().apiName()));
        return status;
    }

    /**
     * The servers of each load-balancer service and whether each is up (its health check passes and passive
     * health has not left it out): service name, then server URL (in configuration order; a URL listed twice
     * is up if either is), to up. Read live: health changes without a new runtime.
     */
    public Map<String, Map<String, Boolean>> serverStatus() {
        Map<String, Map<String, Boolean>> out = new TreeMap<>();
        model.services().forEach((name, service) -> {
            if (service.handler() != null && service.config() != null && service.config().loadBalancer() != null) {
                out.put(name, service.serverStatus());
            }
        });
        return out;
    }

    /**
     * Counts a request in, for as long as it is served on this runtime (until {@link #exit()}). Returns false when
     * this runtime has stopped already: the caller was too late and takes the runtime that replaced it.
     */
    public boolean enter() {
        while (true) {
            int count = inFlight.get();
            if (count < 0) {
                return false;
            }
            if (inFlight.compareAndSet(count, count + 1)) {
                return true;
            }
        }
    }

    /** Counts a request out; the last one out of a retired runtime has it stopped. */
    public void exit() {
        if (inFlight.decrementAndGet() == 0 && stopper != null) {
            stopIfIdle();
        }
    }

    /**
     * Called the moment another runtime replaces this one: stops its health checks at once (the new runtime
     * has its own), while requests in flight go on finishing here; once the last of them is done (at once, if
     * none is running), {@code stopper} runs {@link #stop()}. Retiring by counting rather than on a timer lets a
     * long request (a download, a stream) or a WebSocket tunnel outlive any number of reloads.
     */
    public void retire(Executor stopper) {
        stopAll(healthChecks);
        this.stopper = stopper;
        stopIfIdle();
    }

    private void stopIfIdle() {
        if (inFlight.compareAndSet(0, -1)) { // -1: closed to new requests, so it can be stopped only once
            try {
                stopper.execute(this::stop);
            } catch (RejectedExecutionException e) {
                stop(); // the gateway is stopping
            }
        }
    }

    /**
     * Stops what was started for this runtime: health checks and middleware handlers, and gives back its hold on
     * the clients of its {@code http.serversTransports} (a client stops when no runtime holds it any more). Called
     * once the requests and tunnels that started on it are done.
     */
    public void stop() {
        stopAll(healthChecks);
        stopAll(components);
        stopAll(transports);
        stopped = true;
    }

    /** Whether {@link #stop()} has run: for a retired runtime, its last request or tunnel has ended. */
    public boolean stopped() {
        return stopped;
    }

    private static void stopAll(List<LifeCycle> list) {
        for (LifeCycle component : list) {
            try {
                component.stop();
            } catch (Exception e) {
                LOG.warn("Stopping {}: {}", component, FailureReasons.of(e));
            }
        }
    }
}
