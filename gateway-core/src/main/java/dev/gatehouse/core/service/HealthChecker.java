package dev.gatehouse.core.service;

import dev.gatehouse.core.config.dynamic.HealthCheckConfig;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

/**
 * Active health checks of one load balancer ({@code loadBalancer.healthCheck}): each server is asked
 * {@code method path} every {@code interval} (every {@code unhealthyInterval} while unhealthy) on a scheduler
 * thread, through the shared HTTP client without blocking; it is healthy iff it answers 2XX or 3XX (or exactly
 * {@code status}) within {@code timeout}. With {@code mode: grpc} the check is the gRPC health protocol's
 * {@code Check} instead (over h2c, on {@code port} or the server's), healthy iff the answer is {@code SERVING}, as
 * Traefik's. The first check runs as soon as the runtime starts. Stopped when its
 * runtime is replaced.
 */
public final class HealthChecker extends AbstractLifeCycle {

    private final LoadBalancedService service;
    private final List<String> urls;
    private final HealthCheckConfig config;
    private final UpstreamClient client;
    private final ScheduledExecutorService scheduler;
    private final List<ScheduledFuture<?>> pending = new ArrayList<>();
    /** {@code mode: grpc}: the gRPC health protocol instead of an HTTP request. */
    private final boolean grpc;

    public HealthChecker(LoadBalancedService service, HealthCheckConfig config, UpstreamClient client,
            ScheduledExecutorService scheduler) {
        String mode = config.mode() == null || config.mode().isBlank() ? "http" : config.mode().toLowerCase(Locale.ROOT);
        if (!mode.equals("http") && !mode.equals("grpc")) {
            throw new IllegalArgumentException("loadBalancer.healthCheck.mode must be http or grpc, not '" + config.mode()
                    + "'");
        }
        this.grpc = mode.equals("grpc");
        if (!grpc && (config.path() == null || config.path().isBlank())) {
            throw new IllegalArgumentException("loadBalancer.healthCheck.path is required");
        }
        if (grpc && config.scheme() != null && config.scheme().equalsIgnoreCase("https")) {
            throw new IllegalArgumentException("loadBalancer.healthCheck.mode grpc speaks HTTP/2 without TLS (h2c): "
                    + "remove scheme https");
        }
        if (config.scheme() != null && !config.scheme().isBlank()
                && !List.of("http", "https").contains(config.scheme().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("loadBalancer.healthCheck.scheme must be http or https");
        }
        if (config.port() != null && (config.port() < 1 || config.port() > 65535)) {
            throw new IllegalArgumentException("loadBalancer.healthCheck.port must be between 1 and 65535");
        }
        this.service = service;
        this.config = config;
        this.client = client;
        this.scheduler = scheduler;
        this.urls = new ArrayList<>();
        for (UpstreamServer server : service.servers()) {
            urls.add(grpc ? null : checkUrl(server, config));
        }
    }

    static String checkUrl(UpstreamServer server, HealthCheckConfig config) {
        String scheme = config.scheme() == null || config.scheme().isBlank() ? server.scheme()
                : config.scheme().toLowerCase(Locale.ROOT);
        int port = config.port() != null ? config.port() : server.port();
        String host = server.host().indexOf(':') >= 0 ? "[" + server.host() + "]" : server.host();
        String path = config.path().strip();
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        return scheme + "://" + host + ":" + port + path;
    }

    @Override
    protected void doStart() {
        for (int i = 0; i < urls.size(); i++) {
            schedule(i, Duration.ZERO);
        }
    }

    @Override
    protected void doStop() {
        synchronized (pending) {
            pending.forEach(future -> future.cancel(false));
            pending.clear();
        }
    }

    private void schedule(int index, Duration delay) {
        if (!isRunning() && !isStarting()) {
            return;
        }
        try {
            ScheduledFuture<?> future = scheduler.schedule(() -> check(index), delay.toMillis(), TimeUnit.MILLISECONDS);
            synchronized (pending) {
                pending.removeIf(ScheduledFuture::isDone);
                pending.add(future);
            }
        } catch (RejectedExecutionException e) {
            // the gateway is stopping
        }
    }

    private void check(int index) {
        if (!isRunning()) {
            return;
        }
        if (grpc) {
            UpstreamServer server = service.servers().get(index);
            client.probeGrpc(server.host(), config.port() != null ? config.port() : server.port(),
                    config.timeoutOrDefault(), serving -> checked(index, serving == SERVING));
            return;
        }
        client.probe(config.methodOrDefault(), urls.get(index), config.hostname(), config.headers(),
                config.timeoutOrDefault(), config.followRedirectsOrDefault(),
                status -> checked(index, isHealthy(status, config.status())));
    }

    private void checked(int index, boolean healthy) {
        if (isRunning()) {
            service.setActiveHealth(index, healthy);
            schedule(index, healthy ? config.intervalOrDefault() : config.unhealthyIntervalOrDefault());
        }
    }

    /** The gRPC health protocol's {@code ServingStatus.SERVING}. */
    static final int SERVING = 1;

    static boolean isHealthy(int status, Integer expected) {
        if (status < 0) {
            return false;
        }
        if (expected != null && expected > 0) {
            return status == expected;
        }
        return status >= 200 && status < 400;
    }

    @Override
    public String toString() {
        return "health checks of " + service.name();
    }
}
