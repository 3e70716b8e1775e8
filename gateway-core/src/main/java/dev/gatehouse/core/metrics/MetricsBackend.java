package dev.gatehouse.core.metrics;

import dev.gatehouse.core.observe.RequestRecord;
import java.util.function.Consumer;

/**
 * A metrics backend that the gateway pushes to ({@code metrics.otlp}, {@code statsD}, {@code datadog},
 * {@code influxDB2}), fed by the same completed requests as the Prometheus registry.
 *
 * <p>{@link #accept} runs on request threads: it only updates in-memory series and never blocks on the network.
 * Sending happens on the backend's own thread; a backend that cannot be reached is logged (rate-limited) and
 * retried at the next push, never failing a request.
 */
public interface MetricsBackend extends Consumer<RequestRecord>, AutoCloseable {

    /** Starts pushing (a thread, a connection); nothing happens in the constructor. */
    void start();

    /** Where the gateway's state (open connections, servers up, certificates) is read at each push. */
    void gauges(GatewayGauges gauges);

    /** A configuration was applied (or failed to be): Traefik's config reload metrics. */
    void configurationReloaded(boolean success);

    /** Pushes what is left and stops; safe after a failed or missing {@link #start()}. */
    @Override
    void close();
}
