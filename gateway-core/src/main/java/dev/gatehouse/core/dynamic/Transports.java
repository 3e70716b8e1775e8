package dev.gatehouse.core.dynamic;

import dev.gatehouse.core.proxy.UpstreamClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The upstream clients of one runtime: the gateway's default one (the static {@code serversTransport}), and
 * one per {@code http.serversTransports} entry that a service uses, made when the runtime is built and
 * stopped when it retires.
 */
final class Transports {

    private final UpstreamClient defaultClient;
    private final List<LifeCycle> started = new ArrayList<>();

    Transports(UpstreamClient defaultClient, Object configs, List<ConfigProblem> problems, Executor executor) {
        this.defaultClient = defaultClient;
    }

    /** The client for a service's {@code serversTransport} reference; the default one for null. */
    UpstreamClient client(String reference, String provider) {
        if (reference == null || reference.isBlank() || reference.strip().equals("default@internal")) {
            return defaultClient;
        }
        throw new IllegalArgumentException("loadBalancer.serversTransport: http.serversTransports are not supported yet");
    }

    /** The clients started for this runtime, to stop when it retires. */
    List<LifeCycle> started() {
        return started;
    }
}
