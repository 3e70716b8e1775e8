package dev.gatehouse.core.runtime;

import dev.gatehouse.core.config.dynamic.ServiceConfig;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.service.LoadBalancedService;
import dev.gatehouse.core.service.MiddlewareFrontedService;
import dev.gatehouse.core.service.ServiceHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service of one runtime, as the API and the metrics report it. Its status and its servers' health are read
 * live: health changes without a new runtime.
 *
 * @param name its qualified name ({@code web@file})
 * @param config its configuration; null when it could not be read
 * @param errors what is wrong with it (a service with errors was not built)
 * @param usedBy the routers (sorted) that send to it
 * @param handler the service as built; null when it was not (it is then disabled), and for the gateway's own
 *     services ({@code api@internal}...), which are always there
 */
public record ServiceInfo(String name, ServiceConfig config, ElementOrigin origin, List<ConfigProblem> errors,
        List<String> usedBy, ServiceHandler handler) {

    /** The provider of the gateway's own services. */
    public static final String INTERNAL_PROVIDER = "internal";

    public ServiceInfo {
        errors = List.copyOf(errors);
        usedBy = List.copyOf(usedBy);
    }

    /** Whether it is one of the gateway's own services ({@code api@internal}, {@code noop@internal}...). */
    public boolean internal() {
        return INTERNAL_PROVIDER.equals(origin.provider());
    }

    /**
     * The gateway's own services are enabled. Others: disabled when not built; in warning while they have errors or
     * a server is down; else enabled.
     */
    public Status status() {
        if (internal()) {
            return Status.ENABLED;
        }
        if (handler == null) {
            return Status.DISABLED;
        }
        return errors.isEmpty() && !serverStatus().containsValue(false) ? Status.ENABLED : Status.WARNING;
    }

    /**
     * For a load balancer, each server URL (in configuration order; a URL listed twice is up if either is) and
     * whether it is up: its health check passes and passive health has not left it out. Empty for other services.
     */
    public Map<String, Boolean> serverStatus() {
        ServiceHandler served = handler instanceof MiddlewareFrontedService fronted ? fronted.service() : handler;
        Map<String, Boolean> urls = new LinkedHashMap<>();
        if (served instanceof LoadBalancedService balancer) {
            for (int i = 0; i < balancer.servers().size(); i++) {
                urls.merge(balancer.servers().get(i).url(), balancer.isUp(i), Boolean::logicalOr);
            }
        }
        return urls;
    }
}
