package dev.gatehouse.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.gatehouse.core.config.dynamic.MiddlewareConfig;
import dev.gatehouse.core.config.dynamic.RouterConfig;
import dev.gatehouse.core.config.dynamic.ServiceConfig;
import dev.gatehouse.core.config.GoDurations;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ProviderHealth;
import dev.gatehouse.core.plugin.LoadedPlugin;
import dev.gatehouse.core.plugin.PluginProblem;
import dev.gatehouse.core.config.dynamic.tcp.TcpRouterConfig;
import dev.gatehouse.core.tcp.TcpModel;
import dev.gatehouse.core.runtime.ElementOrigin;
import dev.gatehouse.core.runtime.MiddlewareInfo;
import dev.gatehouse.core.runtime.RouterInfo;
import dev.gatehouse.core.runtime.ServiceInfo;
import dev.gatehouse.core.tls.TlsManager;
import dev.gatehouse.core.udp.UdpRouterInfo;
import dev.gatehouse.core.udp.UdpServiceInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * {@code api@internal}: a read-only JSON API in the shape of Traefik's ({@code /api/http/routers},
 * {@code /api/http/services}, {@code /api/http/middlewares}, {@code /api/entrypoints}, {@code /api/overview},
 * {@code /api/rawdata}, {@code /api/version}, {@code /api/udp/routers}, {@code /api/udp/services}), plus what Gatehouse adds ({@code /api/plugins},
 * {@code /api/certificates}). Every element carries its {@code status} ({@code enabled}, {@code warning} or
 * {@code disabled}), its {@code error}s, its {@code provider} and what uses it; each load-balancer service its
 * {@code serverStatus} ({@code UP} or {@code DOWN} per server URL). Lists take Traefik's query parameters
 * {@code search}, {@code status} and {@code provider}. The password hashes of {@code basicAuth} and
 * {@code digestAuth} users are shown as {@code <redacted>} ({@link CredentialRedaction}).
 */
public final class ApiHandler extends Handler.Abstract.NonBlocking {

    public static final String NAME = "api@internal";

    // Durations are shown as they are written in the configuration, in Go's form ("1s", "1m30s"), as Traefik's
    // API shows them; without this, any element with a duration (a health check interval) failed with 500.
    private final ObjectMapper json = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_EMPTY)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .registerModule(new SimpleModule("go-durations").addSerializer(Duration.class, new GoDurationSerializer())
                    .addSerializer(PresentSection.class, new PresentSectionSerializer()));

    /**
     * A section that is there with nothing in it ({@code tls: {}}, which makes a router serve HTTPS): written as
     * {@code {}} where NON_EMPTY would leave an empty map out and the router would look like plain HTTP.
     */
    private enum PresentSection { INSTANCE }

    private static final class PresentSectionSerializer extends StdSerializer<PresentSection> {
        private static final long serialVersionUID = 1L;

        PresentSectionSerializer() {
            super(PresentSection.class);
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, PresentSection value) {
            return false;
        }

        @Override
        public void serialize(PresentSection value, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeStartObject();
            out.writeEndObject();
        }
    }

    private static final class GoDurationSerializer extends StdSerializer<Duration> {
        private static final long serialVersionUID = 1L;

        GoDurationSerializer() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(GoDurations.format(value));
        }
    }
    private final Supplier<ApiState> state;
    private final Supplier<List<Map<String, Object>>> entryPoints;
    private final Supplier<List<LoadedPlugin>> plugins;
    private final Supplier<List<PluginProblem>> pluginProblems;
    private final Supplier<List<TlsManager.Served>> certificates;
    private final String version;
    private final ApiBasePath base;
    private final String startDate = Instant.now().toString();
    private volatile Supplier<List<ProviderHealth.Status>> providerHealth = List::of;

    public ApiHandler(Supplier<ApiState> state, Supplier<List<Map<String, Object>>> entryPoints,
            Supplier<List<LoadedPlugin>> plugins, Supplier<List<PluginProblem>> pluginProblems,
            Supplier<List<TlsManager.Served>> certificates, String version) {
        this(state, entryPoints, plugins, pluginProblems, certificates, version, ApiBasePath.ROOT);
    }

    /** @param base {@code api.basePath}: the API answers {@code <base>/api/...} */
    public ApiHandler(Supplier<ApiState> state, Supplier<List<Map<String, Object>>> entryPoints,
            Supplier<List<LoadedPlugin>> plugins, Supplier<List<PluginProblem>> pluginProblems,
            Supplier<List<TlsManager.Served>> certificates, String version, ApiBasePath base) {
        this.base = base;
        this.state = state;
        this.entryPoints = entryPoints;
        this.plugins = plugins;
        this.pluginProblems = pluginProblems;
        this.certificates = certificates;
        this.version = version;
    }


    /**
     * Where {@code /api/providers} (Gatehouse's) and the overview's {@code providerHealth} read each provider's
     * health; without it, they list none.
     */
    public ApiHandler providers(Supplier<List<ProviderHealth.Status>> health) {
        this.providerHealth = health;
        return this;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws JsonProcessingException {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            return write(response, callback, 405, Map.of("message", "the API is read-only: use GET"));
        }
        String path = base.within(request);
        if (path == null) {
            return write(response, callback, 404, Map.of("message", "not found: " + request.getHttpURI().getPath()
                    + " (the API is under api.basePath " + base.prefix() + "/)"));
        }
        Fields query = Request.extractQueryParameters(request);
        ApiState current = state.get();
        Object body = switch (section(path)) {
            case "/api/version" -> Map.of("Version", version, "Codename", "gatehouse", "startDate", startDate);
            case "/api/overview" -> overview(current);
            case "/api/entrypoints" -> entryPoints.get();
            case "/api/rawdata" -> rawData(current);
            case "/api/plugins" -> Map.of("plugins", plugins.get(), "problems", pluginProblems.get().stream()
                    .map(p -> Map.of("file", p.file(), "plugin", p.pluginId() == null ? "" : p.pluginId(), "error", p.reason()))
                    .toList());
            case "/api/certificates" -> certificates();
            case "/api/providers" -> providers();
            case "/api/http/routers" -> filter(routers(current), query);
            case "/api/http/services" -> filter(services(current), query);
            case "/api/http/middlewares" -> filter(middlewares(current), query);
            case "/api/tcp/routers" -> filter(tcpElements(current.runtime().tcp().model().routers(), "using"), query);
            case "/api/tcp/services" -> filter(tcpElements(current.runtime().tcp().model().services(), "usedBy"), query);
            case "/api/tcp/middlewares" -> filter(tcpElements(current.runtime().tcp().model().middlewares(), "usedBy"),
                    query);
            case "/api/udp/routers" -> filter(udpRouters(current), query);
            case "/api/udp/services" -> filter(udpServices(current), query);
            default -> one(path, current);
        };
        if (body == null) {
            return write(response, callback, 404, Map.of("message", "not found: " + path));
        }
        return write(response, callback, 200, body);
    }

    private static String section(String path) {
        return path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    }

    /** {@code /api/http/routers/{name}}, {@code /api/entrypoints/{name}} and the like. */
    private Object one(String path, ApiState current) {
        for (String kind : List.of("routers", "services", "middlewares")) {
            String prefix = "/api/http/" + kind + "/";
            if (path.startsWith(prefix)) {
                String name = java.net.URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8);
                List<Map<String, Object>> all = switch (kind) {
                    case "routers" -> routers(current);
                    case "services" -> services(current);
                    default -> middlewares(current);
                };
                return all.stream().filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
            }
        }
        for (String kind : List.of("routers", "services", "middlewares")) {
            String prefix = "/api/tcp/" + kind + "/";
            if (path.startsWith(prefix)) {
                String name = java.net.URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8);
                TcpModel model = current.runtime().tcp().model();
                TcpModel.Element element = switch (kind) {
                    case "routers" -> model.routers().get(name);
                    case "services" -> model.services().get(name);
                    default -> model.middlewares().get(name);
                };
                return element == null ? null
                        : tcpElement(name, element, kind.equals("routers") ? "using" : "usedBy");
            }
        }
        for (String kind : List.of("routers", "services")) {
            String prefix = "/api/udp/" + kind + "/";
            if (path.startsWith(prefix)) {
                String name = java.net.URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8);
                List<Map<String, Object>> all = kind.equals("routers") ? udpRouters(current) : udpServices(current);
                return all.stream().filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
            }
        }
        if (path.startsWith("/api/entrypoints/")) {
            String name = path.substring("/api/entrypoints/".length());
            return entryPoints.get().stream().filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
        }
        return null;
    }

    List<Map<String, Object>> routers(ApiState current) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RouterInfo router : current.runtime().model().routers().values()) {
            RouterConfig config = router.config();
            Map<String, Object> element = config == null ? new LinkedHashMap<>()
                    : element(json.convertValue(config, Map.class));
            element.put("status", router.status().apiName());
            putErrors(element, messages(router.errors()));
            if (config != null && (config.priority() == null || config.priority() == 0)) {
                element.put("priority", config.effectivePriority());
            }
            if (config != null && config.tls() != null && !(element.get("tls") instanceof Map<?, ?> tls && !tls.isEmpty())) {
                element.put("tls", PresentSection.INSTANCE);
            }
            finish(element, router.name(), router.origin());
            out.add(element);
        }
        return out;
    }

    List<Map<String, Object>> services(ApiState current) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ServiceInfo service : current.runtime().model().services().values()) {
            ServiceConfig config = service.config();
            Map<String, Object> element = config == null ? new LinkedHashMap<>()
                    : element(json.convertValue(config, Map.class));
            List<String> errors = messages(service.errors());
            Map<String, String> serverStatus = new LinkedHashMap<>();
            service.serverStatus().forEach((url, up) -> serverStatus.put(url, up ? "UP" : "DOWN"));
            // A service that serves while some of its servers are down is in "warning", with what is down.
            serverStatus.forEach((url, up) -> {
                if (up.equals("DOWN")) {
                    errors.add("server " + url + " is down");
                }
            });
            element.put("status", service.status().apiName());
            putErrors(element, errors);
            if (!serverStatus.isEmpty()) {
                element.put("serverStatus", serverStatus);
            }
            if (!service.internal()) {
                // As Traefik: the gateway's own services have no type (their configuration is empty).
                element.put("type", config != null && config.loadBalancer() != null ? "loadbalancer" : "unknown");
            }
            element.put("usedBy", service.usedBy());
            finish(element, service.name(), service.origin());
            out.add(element);
        }
        return out;
    }

    /** {@code /api/udp/routers}: as Traefik's, with {@code using} (the UDP entry points the router serves). */
    List<Map<String, Object>> udpRouters(ApiState current) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (UdpRouterInfo router : current.udp().routers().values()) {
            Map<String, Object> element = router.config() == null ? new LinkedHashMap<>()
                    : element(json.convertValue(router.config(), Map.class));
            element.put("status", router.status().apiName());
            putErrors(element, messages(router.errors()));
            element.put("using", router.using());
            finish(element, router.name(), router.origin());
            out.add(element);
        }
        return out;
    }

    /** {@code /api/udp/services}: as Traefik's, with {@code type} ({@code loadbalancer} or {@code weighted}). */
    List<Map<String, Object>> udpServices(ApiState current) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (UdpServiceInfo service : current.udp().services().values()) {
            Map<String, Object> element = service.config() == null ? new LinkedHashMap<>()
                    : element(json.convertValue(service.config(), Map.class));
            element.put("status", service.status().apiName());
            putErrors(element, messages(service.errors()));
            if (service.config() != null) {
                element.put("type", service.config().loadBalancer() != null ? "loadbalancer"
                        : service.config().weighted() != null ? "weighted" : "unknown");
            }
            element.put("usedBy", service.usedBy());
            finish(element, service.name(), service.origin());
            out.add(element);
        }
        return out;
    }

    List<Map<String, Object>> middlewares(ApiState current) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (MiddlewareInfo middleware : current.runtime().model().middlewares().values()) {
            MiddlewareConfig config = middleware.config();
            Map<String, Object> element = new LinkedHashMap<>();
            if (config != null) {
                element.put(config.type(), CredentialRedaction.middlewareOptions(config.type(), config.options()));
            }
            element.put("status", middleware.status().apiName());
            putErrors(element, messages(middleware.errors()));
            if (config != null) {
                element.put("type", config.type().toLowerCase(Locale.ROOT));
            }
            element.put("usedBy", middleware.usedBy());
            finish(element, middleware.name(), middleware.origin());
            out.add(element);
        }
        return out;
    }

    /**
     * {@code /api/tcp/routers}, {@code /api/tcp/services}, {@code /api/tcp/middlewares}: as Traefik shows them, each
     * element's configuration with {@code status}, {@code error}, {@code name}, {@code provider}, and {@code using}
     * (a router's entry points) or {@code usedBy}.
     */
    private List<Map<String, Object>> tcpElements(Map<String, TcpModel.Element> elements, String relation) {
        List<Map<String, Object>> out = new ArrayList<>();
        elements.forEach((name, element) -> out.add(tcpElement(name, element, relation)));
        return out;
    }

    private Map<String, Object> tcpElement(String name, TcpModel.Element tcp, String relation) {
        Map<String, Object> element = tcp.config() == null ? new LinkedHashMap<>()
                : element(json.convertValue(tcp.config(), Map.class));
        if (tcp.config() instanceof TcpRouterConfig router && router.tls() != null) {
            // As Traefik shows it: tls with its passthrough flag, so a terminating tls: {} is not left out as empty.
            Map<String, Object> tls = new LinkedHashMap<>();
            if (element.get("tls") instanceof Map<?, ?> written) {
                written.forEach((key, value) -> tls.put(String.valueOf(key), value));
            }
            tls.put("passthrough", router.tls().isPassthrough());
            element.put("tls", tls);
        }
        element.put("status", !tcp.enabled() ? "disabled" : tcp.errors().isEmpty() ? "enabled" : "warning");
        putErrors(element, new ArrayList<>(tcp.errors()));
        element.put(relation, tcp.related());
        finish(element, name, new dev.gatehouse.core.runtime.ElementOrigin(tcp.provider(), tcp.origin()));
        return element;
    }

    /**
     * {@code /api/certificates} (Gatehouse's): every certificate served, soonest expiry first, with its domains,
     * issuer, validity, and where it came from ({@code static}, {@code default}, or {@code resolver} with the
     * resolver's name).
     */
    private List<Map<String, Object>> certificates() {
        List<Map<String, Object>> out = new ArrayList<>();
        certificates.get().stream()
                .sorted(java.util.Comparator.comparing((TlsManager.Served c) -> c.certificate().getNotAfter())
                        .thenComparing(TlsManager.Served::commonName))
                .forEach(served -> {
                    Map<String, Object> element = new LinkedHashMap<>();
                    List<String> domains = served.dnsNames();
                    element.put("domains", domains.isEmpty() ? List.of(served.commonName()) : domains);
                    element.put("commonName", served.commonName());
                    element.put("issuer", served.issuer());
                    element.put("serial", served.certificate().getSerialNumber().toString());
                    element.put("notBefore", served.certificate().getNotBefore().toInstant().toString());
                    element.put("notAfter", served.certificate().getNotAfter().toInstant().toString());
                    element.put("source", served.source());
                    if (served.resolver() != null) {
                        element.put("resolver", served.resolver());
                    }
                    out.add(element);
                });
        return out;
    }

    /**
     * {@code /api/providers} (Gatehouse's; Traefik has none): each provider's {@code status} ({@code up},
     * {@code starting}, {@code down}, {@code failed}), its {@code error} when down or failed, {@code since} (when
     * it entered that status), {@code lastUpdate} (when it last published: its last successful read) and how many
     * routers, services and middlewares it published.
     */
    private List<Map<String, Object>> providers() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ProviderHealth.Status status : providerHealth.get()) {
            Map<String, Object> element = new LinkedHashMap<>();
            element.put("name", status.provider());
            element.put("status", status.state().apiName());
            if (status.problem() != null) {
                element.put("error", status.problem());
            }
            element.put("since", status.since().toString());
            if (status.lastPublished() != null) {
                element.put("lastUpdate", status.lastPublished().toString());
            }
            // Written even when 0 (the mapper leaves empty values out, and 0 is not empty).
            element.put("routers", status.published().routers());
            element.put("services", status.published().services());
            element.put("middlewares", status.published().middlewares());
            out.add(element);
        }
        return out;
    }

    private static Map<String, Object> element(Map<?, ?> converted) {
        Map<String, Object> element = new LinkedHashMap<>();
        converted.forEach((key, value) -> element.put(String.valueOf(key), value));
        return element;
    }

    private static void finish(Map<String, Object> element, String name, ElementOrigin origin) {
        element.put("name", name);
        element.put("provider", origin.provider());
        element.put("origin", origin.location());
    }

    private static List<String> messages(List<ConfigProblem> problems) {
        List<String> messages = new ArrayList<>();
        problems.forEach(problem -> messages.add(problem.message()));
        return messages;
    }

    /** Traefik's {@code error}: the element's error messages, absent when there is none. */
    private static void putErrors(Map<String, Object> element, List<String> errors) {
        if (!errors.isEmpty()) {
            element.put("error", errors);
        }
    }

    /** Traefik's list filters: {@code search} (in the name), {@code status}, {@code provider}. */
    private static List<Map<String, Object>> filter(List<Map<String, Object>> elements, Fields query) {
        String search = query.getValue("search");
        String status = query.getValue("status");
        String provider = query.getValue("provider");
        return elements.stream()
                .filter(e -> search == null || String.valueOf(e.get("name")).toLowerCase(Locale.ROOT)
                        .contains(search.toLowerCase(Locale.ROOT)))
                .filter(e -> status == null || status.equals(e.get("status")))
                .filter(e -> provider == null || provider.equals(e.get("provider")))
                .toList();
    }

    private Map<String, Object> overview(ApiState current) {
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("routers", counts(routers(current)));
        http.put("services", counts(services(current)));
        http.put("middlewares", counts(middlewares(current)));
        List<String> providers = new ArrayList<>();
        current.runtime().model().routers().values().forEach(router -> {
            if (!providers.contains(router.origin().provider())) {
                providers.add(router.origin().provider());
            }
        });
        TcpModel tcpModel = current.runtime().tcp().model();
        Map<String, Object> tcp = new LinkedHashMap<>();
        tcp.put("routers", counts(tcpElements(tcpModel.routers(), "using")));
        tcp.put("services", counts(tcpElements(tcpModel.services(), "usedBy")));
        tcp.put("middlewares", counts(tcpElements(tcpModel.middlewares(), "usedBy")));
        Map<String, Object> udp = new LinkedHashMap<>();
        udp.put("routers", counts(udpRouters(current)));
        udp.put("services", counts(udpServices(current)));
        current.udp().routers().values().forEach(router -> {
            if (!providers.contains(router.origin().provider())) {
                providers.add(router.origin().provider());
            }
        });
        return Map.of("http", http, "tcp", tcp, "udp", udp, "providers", providers, "providerHealth", providers());
    }

    private static Map<String, Object> counts(List<Map<String, Object>> elements) {
        long errors = elements.stream().filter(e -> "disabled".equals(e.get("status"))).count();
        long warnings = elements.stream().filter(e -> "warning".equals(e.get("status"))).count();
        return Map.of("total", elements.size(), "warnings", warnings, "errors", errors);
    }

    private Map<String, Object> rawData(ApiState current) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("routers", byName(routers(current)));
        raw.put("services", byName(services(current)));
        raw.put("middlewares", byName(middlewares(current)));
        TcpModel tcp = current.runtime().tcp().model();
        raw.put("tcpRouters", byName(tcpElements(tcp.routers(), "using")));
        raw.put("tcpServices", byName(tcpElements(tcp.services(), "usedBy")));
        raw.put("tcpMiddlewares", byName(tcpElements(tcp.middlewares(), "usedBy")));
        raw.put("udpRouters", byName(udpRouters(current)));
        raw.put("udpServices", byName(udpServices(current)));
        return raw;
    }

    private static Map<String, Object> byName(List<Map<String, Object>> elements) {
        Map<String, Object> out = new LinkedHashMap<>();
        elements.forEach(e -> out.put(String.valueOf(e.get("name")), e));
        return out;
    }

    private boolean write(Response response, Callback callback, int status, Object body) throws JsonProcessingException {
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }
}
