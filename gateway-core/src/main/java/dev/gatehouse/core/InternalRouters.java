package dev.gatehouse.core;

import dev.gatehouse.api.ChallengeResponder;
import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.core.api.ApiBasePath;
import dev.gatehouse.core.api.ApiHandler;
import dev.gatehouse.core.api.DashboardHandler;
import dev.gatehouse.core.config.EntryPointRedirectionConfig;
import dev.gatehouse.core.config.StaticConfiguration;
import dev.gatehouse.core.internal.AcmeHttpService;
import dev.gatehouse.core.internal.DemoService;
import dev.gatehouse.core.internal.NoopService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The dynamic configuration of the internal provider ({@code @internal}), as Traefik's
 * {@code pkg/provider/traefik/internal.go} makes it: the gateway's own endpoints are routers in the same routing table
 * as everyone else's, at reserved priorities, so that they show in the API and the highest priority wins for them as
 * for any router. Each points at one of the gateway's own services ({@code ping@internal}, {@code api@internal},
 * ...), handlers that the runtime resolves by name.
 *
 * <ul>
 *   <li>{@code ping}: {@code PathPrefix(`/ping`)} on {@code ping.entryPoint}, unless {@code ping.manualRouting};</li>
 *   <li>{@code prometheus}: {@code PathPrefix(`/metrics`)} on {@code metrics.prometheus.entryPoint}, unless
 *       {@code manualRouting};</li>
 *   <li>{@code api} and {@code dashboard} with {@code api.insecure}, on the {@code gatehouse} entry point;</li>
 *   <li>{@code acme-http}: {@code PathPrefix(`/.well-known/acme-challenge/`)} on the entry points of the HTTP-01
 *       challenges, so that a token is answered (or refused with 404) ahead of every other router;</li>
 *   <li>one {@code <ep>-to-<target>} router per entry-point redirection, whose {@code redirect-<ep>-to-<target>}
 *       middleware (a {@code redirectScheme}) answers, with {@code noop@internal} behind it.</li>
 * </ul>
 */
final class InternalRouters {

    /** Traefik's {@code math.MaxInt}, as far as a router priority goes here: ping, metrics and ACME HTTP-01. */
    static final int FIRST = Integer.MAX_VALUE;
    /** {@code api@internal}: after ping and metrics, as Traefik's {@code math.MaxInt - 1}. */
    static final int API = Integer.MAX_VALUE - 1;
    /** {@code dashboard@internal}: after the API, as Traefik's {@code math.MaxInt - 2}. */
    static final int DASHBOARD = Integer.MAX_VALUE - 2;

    static final String PING = "ping@internal";
    static final String PROMETHEUS = "prometheus@internal";

    private final Map<String, Object> routers = new LinkedHashMap<>();
    private final Map<String, Object> middlewares = new LinkedHashMap<>();

    private InternalRouters() {
    }

    /**
     * @param config the static configuration
     * @param plan its entry points, resolved
     * @param ports the port each entry point listens on: a redirection to an entry point names it
     * @param acmeEntryPoints the entry points where some certificate resolver answers HTTP-01 challenges
     */
    static ConfigurationSnapshot snapshot(StaticConfiguration config, EntryPointPlan plan, ToIntFunction<String> ports,
            List<String> acmeEntryPoints) {
        InternalRouters internal = new InternalRouters();
        List<String> names = plan.names();
        if (config.demo() != null) {
            // Priority 1: any router of the user's that also matches localhost wins over the demo. 127.0.0.1 too:
            // it is what many type for "this machine", and it must not 404 where localhost shows the page.
            internal.router("demo", "Host(`localhost`) || Host(`127.0.0.1`)", null, DemoService.NAME, 1, List.of());
        }
        if (plan.pingIndex >= 0) {
            internal.router("ping", "PathPrefix(`/ping`)", names.get(plan.pingIndex), PING, FIRST, List.of());
        }
        if (plan.metricsIndex >= 0) {
            internal.router("prometheus", "PathPrefix(`/metrics`)", names.get(plan.metricsIndex), PROMETHEUS, FIRST,
                    List.of());
        }
        if (plan.apiIndex >= 0 && config.api() != null) {
            String base = ApiBasePath.of(config.api().basePath()).prefix();
            String entryPoint = names.get(plan.apiIndex);
            internal.router("api", "PathPrefix(`" + base + "/api`)", entryPoint, ApiHandler.NAME, API, List.of());
            if (config.api().dashboardOrDefault()) {
                // Narrower than Traefik's PathPrefix(`/`): the rest of the entry point stays with the user's routers.
                String rule = base.isEmpty() ? "Path(`/`) || PathPrefix(`/dashboard`)"
                        : "Path(`" + base + "`) || PathPrefix(`" + base + "/dashboard`)";
                internal.router("dashboard", rule, entryPoint, DashboardHandler.NAME, DASHBOARD, List.of());
            }
        }
        if (!acmeEntryPoints.isEmpty()) {
            internal.routers.put("acme-http", Map.of("rule", "PathPrefix(`" + ChallengeResponder.PATH_PREFIX + "`)",
                    "entryPoints", List.copyOf(acmeEntryPoints), "service", AcmeHttpService.NAME, "priority", FIRST));
        }
        plan.redirections().forEach((index, redirection) -> internal.redirection(names.get(index), redirection, ports));
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("routers", internal.routers);
        if (!internal.middlewares.isEmpty()) {
            http.put("middlewares", internal.middlewares);
        }
        return ConfigurationSnapshot.of(ConfigurationFragment.of("the gateway's internal configuration",
                Map.of("http", http)));
    }

    private void router(String name, String rule, String entryPoint, String service, int priority,
            List<String> middlewareNames) {
        Map<String, Object> router = new LinkedHashMap<>();
        router.put("rule", rule);
        if (entryPoint != null) {
            router.put("entryPoints", List.of(entryPoint));
        }
        if (!middlewareNames.isEmpty()) {
            router.put("middlewares", middlewareNames);
        }
        router.put("service", service);
        router.put("priority", priority);
        routers.put(name, router);
    }

    /**
     * {@code entryPoints.<ep>.http.redirections.entryPoint}: as Traefik, a router for every request on the entry
     * point ({@code PathPrefix(`/`)}, where Traefik writes {@code HostRegexp(`^.+$`)}: the same requests, in both
     * rule syntaxes) through a {@code redirectScheme} middleware to the target's port.
     */
    private void redirection(String entryPoint, EntryPointRedirectionConfig redirection, ToIntFunction<String> ports) {
        String target = redirection.to().strip();
        int port = target.startsWith(":") ? Integer.parseInt(target.substring(1)) : ports.applyAsInt(target);
        String name = entryPoint + "-to-" + (target.startsWith(":") ? target.substring(1) : target);
        String middleware = "redirect-" + name;
        Map<String, Object> redirectScheme = new LinkedHashMap<>();
        redirectScheme.put("scheme", redirection.schemeOrDefault());
        if (port > 0) { // 0 only in gatehouse check, for a target that the system gives a port when it starts
            redirectScheme.put("port", Integer.toString(port));
        }
        redirectScheme.put("permanent", redirection.permanentOrDefault());
        middlewares.put(middleware, Map.of("redirectScheme", redirectScheme));
        router(name, "PathPrefix(`/`)", entryPoint, NoopService.NAME, redirection.priorityOrDefault(),
                List.of(middleware));
    }
}
