package dev.gatehouse.plugins.middlewares.headers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.ForwardedHeaders;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.CommitHook;
import dev.gatehouse.plugins.middlewares.internal.GoRegex;
import dev.gatehouse.plugins.middlewares.internal.Responses;
import dev.gatehouse.plugins.middlewares.internal.RewrittenRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code headers}: custom request and response headers, CORS, and security headers, as Traefik's headers
 * middleware (which combines its own custom/CORS handler with unrolled/secure).
 *
 * <p>Order, as in Traefik: a CORS preflight is answered first (200, no body, nothing else runs); then custom request
 * headers are set (an empty value removes the header); then the security checks (allowedHosts: 500 "Bad Host", the
 * status of Traefik's secure handler);
 * then the next handler. On the way back, security headers are set first, then custom response headers (so an empty
 * custom value can remove a security header), then the CORS response headers.
 */
@Extension
public final class Headers implements Middleware<Headers.Config> {

    public record Config(
            Map<String, String> customRequestHeaders,
            Map<String, String> customResponseHeaders,
            Boolean accessControlAllowCredentials,
            List<String> accessControlAllowHeaders,
            List<String> accessControlAllowMethods,
            List<String> accessControlAllowOriginList,
            List<String> accessControlAllowOriginListRegex,
            List<String> accessControlExposeHeaders,
            Long accessControlMaxAge,
            Boolean addVaryHeader,
            List<String> allowedHosts,
            List<String> hostsProxyHeaders,
            Map<String, String> sslProxyHeaders,
            Long stsSeconds,
            Boolean stsIncludeSubdomains,
            Boolean stsPreload,
            Boolean forceSTSHeader,
            Boolean frameDeny,
            String customFrameOptionsValue,
            Boolean contentTypeNosniff,
            Boolean browserXssFilter,
            String customBrowserXSSValue,
            String contentSecurityPolicy,
            String contentSecurityPolicyReportOnly,
            String publicKey,
            String referrerPolicy,
            String permissionsPolicy,
            Boolean isDevelopment,
            // Deprecated in Traefik v3, which still accepts them and ignores them (its secure handler no longer
            // receives them): accepted here with no effect and a warning, so a v2-era file loads unchanged.
            String featurePolicy,
            Boolean sslRedirect,
            Boolean sslTemporaryRedirect,
            String sslHost,
            Boolean sslForceHost) {

        /** The options without the deprecated ones (each then unset). */
        public Config(Map<String, String> customRequestHeaders, Map<String, String> customResponseHeaders,
                Boolean accessControlAllowCredentials, List<String> accessControlAllowHeaders,
                List<String> accessControlAllowMethods, List<String> accessControlAllowOriginList,
                List<String> accessControlAllowOriginListRegex, List<String> accessControlExposeHeaders,
                Long accessControlMaxAge, Boolean addVaryHeader, List<String> allowedHosts, List<String> hostsProxyHeaders,
                Map<String, String> sslProxyHeaders, Long stsSeconds, Boolean stsIncludeSubdomains, Boolean stsPreload,
                Boolean forceSTSHeader, Boolean frameDeny, String customFrameOptionsValue, Boolean contentTypeNosniff,
                Boolean browserXssFilter, String customBrowserXSSValue, String contentSecurityPolicy,
                String contentSecurityPolicyReportOnly, String publicKey, String referrerPolicy, String permissionsPolicy,
                Boolean isDevelopment) {
            this(customRequestHeaders, customResponseHeaders, accessControlAllowCredentials, accessControlAllowHeaders,
                    accessControlAllowMethods, accessControlAllowOriginList, accessControlAllowOriginListRegex,
                    accessControlExposeHeaders, accessControlMaxAge, addVaryHeader, allowedHosts, hostsProxyHeaders,
                    sslProxyHeaders, stsSeconds, stsIncludeSubdomains, stsPreload, forceSTSHeader, frameDeny,
                    customFrameOptionsValue, contentTypeNosniff, browserXssFilter, customBrowserXSSValue,
                    contentSecurityPolicy, contentSecurityPolicyReportOnly, publicKey, referrerPolicy, permissionsPolicy,
                    isDevelopment, null, null, null, null, null);
        }
    }

    @Override
    public List<String> deprecations(Config config) {
        if (config == null) {
            return List.of();
        }
        List<String> notes = new ArrayList<>();
        if (config.featurePolicy() != null) {
            notes.add("option 'featurePolicy' is deprecated and has no effect (as in Traefik v3): use 'permissionsPolicy'");
        }
        String redirect = "has no effect (as in Traefik v3): redirect with an entry point's http.redirections or a "
                + "redirectScheme middleware";
        if (config.sslRedirect() != null) {
            notes.add("option 'sslRedirect' is deprecated and " + redirect);
        }
        if (config.sslTemporaryRedirect() != null) {
            notes.add("option 'sslTemporaryRedirect' is deprecated and " + redirect);
        }
        String host = "has no effect (as in Traefik v3): change the host with a redirectRegex middleware";
        if (config.sslHost() != null) {
            notes.add("option 'sslHost' is deprecated and " + host);
        }
        if (config.sslForceHost() != null) {
            notes.add("option 'sslForceHost' is deprecated and " + host);
        }
        return notes;
    }

    @Override
    public String name() {
        return "headers";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        Prepared p = new Prepared(config == null ? empty() : config);
        if (!p.hasCors && !p.hasCustom && !p.hasSecure && !p.hasDeprecatedSecure) {
            // Traefik refuses a headers middleware with nothing set ("headers configuration not valid").
            throw new IllegalArgumentException("no option is set: a headers middleware needs at least one of "
                    + "customRequestHeaders, customResponseHeaders, the accessControl* (CORS) or the security options");
        }
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return p.handle(this, request, response, callback);
            }
        };
    }

    private static Config empty() {
        return new Config(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Everything decided once per configuration. */
    private static final class Prepared {
        final boolean hasCors;
        final boolean hasCustom;
        final boolean hasSecure;
        /** Deprecated options that make the middleware valid in Traefik, although they do nothing. */
        final boolean hasDeprecatedSecure;
        /** An empty custom X-Forwarded-For: the client's is removed and the proxy must not send its own either. */
        final boolean withoutForwardedFor;

        // custom
        final List<String> requestRemove = new ArrayList<>();
        final List<HttpField> requestSet = new ArrayList<>();
        final List<String> responseRemove = new ArrayList<>();
        final List<HttpField> responseSet = new ArrayList<>();

        // CORS
        final boolean allowCredentials;
        final String allowHeaders;
        final String allowMethods;
        final List<String> originList;
        final List<Pattern> originRegexes = new ArrayList<>();
        final String exposeHeaders;
        final String maxAge;
        final boolean allowAnyHeader;
        final boolean allowAnyMethod;
        final boolean exposeAny;
        final boolean addVary;

        // secure
        final boolean development;
        final List<String> allowedHosts;
        final List<String> hostsProxyHeaders;
        final Map<String, String> sslProxyHeaders;
        final String sts;
        final boolean forceSts;
        final List<HttpField> secureHeaders = new ArrayList<>();

        Prepared(Config c) {
            Map<String, String> req = c.customRequestHeaders() == null ? Map.of() : c.customRequestHeaders();
            Map<String, String> res = c.customResponseHeaders() == null ? Map.of() : c.customResponseHeaders();
            hasCustom = !req.isEmpty() || !res.isEmpty();
            withoutForwardedFor = req.entrySet().stream().anyMatch(e -> e.getKey().equalsIgnoreCase("X-Forwarded-For")
                    && (e.getValue() == null || e.getValue().isEmpty()));
            req.forEach((name, value) -> {
                if (value == null || value.isEmpty()) {
                    requestRemove.add(name);
                } else {
                    requestSet.add(new HttpField(name, value));
                }
            });
            res.forEach((name, value) -> {
                if (value == null || value.isEmpty()) {
                    responseRemove.add(name);
                } else {
                    responseSet.add(new HttpField(name, value));
                }
            });

            allowCredentials = Boolean.TRUE.equals(c.accessControlAllowCredentials());
            allowHeaders = String.join(",", list(c.accessControlAllowHeaders()));
            allowMethods = String.join(",", list(c.accessControlAllowMethods()));
            originList = list(c.accessControlAllowOriginList());
            for (String regex : list(c.accessControlAllowOriginListRegex())) {
                originRegexes.add(GoRegex.compile("accessControlAllowOriginListRegex", regex));
            }
            exposeHeaders = String.join(",", list(c.accessControlExposeHeaders()));
            if (c.accessControlMaxAge() != null && c.accessControlMaxAge() < 0) {
                throw new IllegalArgumentException("'accessControlMaxAge' must not be negative");
            }
            // Traefik sends Access-Control-Max-Age only when it is set (0 included).
            maxAge = c.accessControlMaxAge() == null ? null : Long.toString(c.accessControlMaxAge());
            allowAnyHeader = list(c.accessControlAllowHeaders()).contains("*");
            allowAnyMethod = list(c.accessControlAllowMethods()).contains("*");
            exposeAny = list(c.accessControlExposeHeaders()).contains("*");
            addVary = Boolean.TRUE.equals(c.addVaryHeader());
            hasCors = allowCredentials || !allowHeaders.isEmpty() || !allowMethods.isEmpty() || !originList.isEmpty()
                    || !originRegexes.isEmpty() || !exposeHeaders.isEmpty() || maxAge != null || addVary;

            development = Boolean.TRUE.equals(c.isDevelopment());
            allowedHosts = list(c.allowedHosts());
            hostsProxyHeaders = list(c.hostsProxyHeaders());
            sslProxyHeaders = c.sslProxyHeaders() == null ? Map.of() : new LinkedHashMap<>(c.sslProxyHeaders());
            long stsSeconds = c.stsSeconds() == null ? 0 : c.stsSeconds();
            boolean stsSet = c.stsSeconds() != null;
            if (stsSeconds < 0) {
                throw new IllegalArgumentException("'stsSeconds' must not be negative");
            }
            forceSts = Boolean.TRUE.equals(c.forceSTSHeader());
            boolean includeSubdomains = Boolean.TRUE.equals(c.stsIncludeSubdomains());
            boolean preload = Boolean.TRUE.equals(c.stsPreload());
            sts = stsSeconds == 0 || development ? null
                    : "max-age=" + stsSeconds + (includeSubdomains ? "; includeSubDomains" : "") + (preload ? "; preload" : "");

            String frame = nonEmpty(c.customFrameOptionsValue());
            if (frame == null && Boolean.TRUE.equals(c.frameDeny())) {
                frame = "DENY";
            }
            addIf("X-Frame-Options", frame);
            addIf("X-Content-Type-Options", Boolean.TRUE.equals(c.contentTypeNosniff()) ? "nosniff" : null);
            String xss = nonEmpty(c.customBrowserXSSValue());
            if (xss == null && Boolean.TRUE.equals(c.browserXssFilter())) {
                xss = "1; mode=block";
            }
            addIf("X-XSS-Protection", xss);
            addIf("Content-Security-Policy", nonEmpty(c.contentSecurityPolicy()));
            addIf("Content-Security-Policy-Report-Only", nonEmpty(c.contentSecurityPolicyReportOnly()));
            addIf("Public-Key-Pins", nonEmpty(c.publicKey()));
            addIf("Referrer-Policy", nonEmpty(c.referrerPolicy()));
            addIf("Permissions-Policy", nonEmpty(c.permissionsPolicy()));

            hasSecure = !allowedHosts.isEmpty() || !hostsProxyHeaders.isEmpty() || !sslProxyHeaders.isEmpty()
                    || stsSet || includeSubdomains || preload || forceSts || !secureHeaders.isEmpty()
                    || Boolean.TRUE.equals(c.frameDeny()) || Boolean.TRUE.equals(c.browserXssFilter()) || development;
            hasDeprecatedSecure = Boolean.TRUE.equals(c.sslRedirect()) || Boolean.TRUE.equals(c.sslTemporaryRedirect())
                    || Boolean.TRUE.equals(c.sslForceHost()) || nonEmpty(c.sslHost()) != null
                    || nonEmpty(c.featurePolicy()) != null;
        }

        private void addIf(String name, String value) {
            if (value != null) {
                secureHeaders.add(new HttpField(name, value));
            }
        }

        boolean handle(Handler.Wrapper self, Request request, Response response, Callback callback) throws Exception {
            if (!hasCors && !hasCustom && !hasSecure) {
                return self.getHandler().handle(request, response, callback);
            }
            HttpFields requestHeaders = request.getHeaders();
            String origin = requestHeaders.get(HttpHeader.ORIGIN);
            if (hasCors && origin != null && !origin.isEmpty() && HttpMethod.OPTIONS.is(request.getMethod())) {
                String requestedMethod = requestHeaders.get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD);
                if (requestedMethod != null && !requestedMethod.isEmpty()) {
                    return preflight(request, origin, requestedMethod, response, callback);
                }
            }

            // An empty custom X-Forwarded-For: the proxy adds none either (the header itself is removed below).
            Request forwarded = withoutForwardedFor ? ForwardedHeaders.withoutForwardedFor(request) : request;
            if (!requestRemove.isEmpty() || !requestSet.isEmpty()) {
                HttpFields.Mutable changed = HttpFields.build(requestHeaders);
                for (String name : requestRemove) {
                    changed.remove(name);
                }
                for (HttpField field : requestSet) {
                    changed.put(field);
                }
                forwarded = RewrittenRequest.of(forwarded, null, changed.asImmutable());
            }

            boolean ssl = false;
            if (hasSecure) {
                HttpFields headers = forwarded.getHeaders();
                if (!allowedHosts.isEmpty() && !development && !allowedHosts.contains(host(forwarded, headers))) {
                    return Responses.text(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "Bad Host\n");
                }
                ssl = request.isSecure();
                for (Map.Entry<String, String> e : sslProxyHeaders.entrySet()) {
                    if (e.getValue().equals(headers.get(e.getKey()))) {
                        ssl = true;
                        break;
                    }
                }
            }
            boolean secureRequest = ssl;
            // Traefik matches the Origin of the request as it left this middleware (custom headers applied).
            String requestOrigin = forwarded.getHeaders().get(HttpHeader.ORIGIN);
            CommitHook hooked = CommitHook.of(response, r -> onResponse(r.getHeaders(), secureRequest, requestOrigin));
            return self.getHandler().handle(forwarded, hooked, hooked.callback(callback));
        }

        private String host(Request request, HttpFields headers) {
            for (String header : hostsProxyHeaders) {
                String value = headers.get(header);
                if (value != null && !value.isEmpty()) {
                    return value;
                }
            }
            String host = headers.get(HttpHeader.HOST);
            if (host == null) {
                host = request.getHttpURI().getAuthority();
            }
            return host == null ? "" : host;
        }

        /**
         * Browsers refuse the wildcard {@code *} in a response with credentials, so with
         * {@code accessControlAllowCredentials} a {@code *} in the allowed headers, methods or origins answers with
         * what the request asked for, as Traefik does; a {@code *} in the exposed headers sends none.
         */
        private boolean preflight(Request request, String origin, String requestedMethod, Response response,
                Callback callback) {
            HttpFields.Mutable headers = response.getHeaders();
            if (allowCredentials) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            }
            if (allowAnyHeader && allowCredentials) {
                String requested = request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS);
                if (requested != null && !requested.isEmpty()) {
                    headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, requested);
                }
            } else if (!allowHeaders.isEmpty()) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, allowHeaders);
            }
            if (allowAnyMethod && allowCredentials) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, requestedMethod);
            } else if (!allowMethods.isEmpty()) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, allowMethods);
            }
            String allowed = allowedOrigin(origin);
            if (allowed != null) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
            }
            if (maxAge != null) {
                headers.put(HttpHeader.ACCESS_CONTROL_MAX_AGE, maxAge);
            }
            putExposeHeaders(headers);
            response.setStatus(HttpStatus.OK_200);
            headers.put(HttpHeader.CONTENT_LENGTH, 0L);
            callback.succeeded();
            return true;
        }

        /**
         * The value for Access-Control-Allow-Origin: the origin as listed, the origin when a regex matches; for
         * {@code *}, {@code *}, or the request's origin with credentials (which may not use the wildcard).
         */
        private String allowedOrigin(String origin) {
            String o = origin == null ? "" : origin;
            for (String item : originList) {
                if (item.equals(o)) {
                    return item;
                }
                if (item.equals("*")) {
                    return allowCredentials ? o : item;
                }
            }
            for (Pattern regex : originRegexes) {
                if (regex.matcher(o).find()) {
                    return o;
                }
            }
            return null;
        }

        private void putExposeHeaders(HttpFields.Mutable headers) {
            if (!exposeHeaders.isEmpty() && !(exposeAny && allowCredentials)) {
                headers.put(HttpHeader.ACCESS_CONTROL_EXPOSE_HEADERS, exposeHeaders);
            }
        }

        private void onResponse(HttpFields.Mutable headers, boolean ssl, String origin) {
            if (hasSecure) {
                if (sts != null && (ssl || forceSts)) {
                    headers.put("Strict-Transport-Security", sts);
                }
                for (HttpField field : secureHeaders) {
                    headers.put(field);
                }
            }
            for (String name : responseRemove) {
                headers.remove(name);
            }
            for (HttpField field : responseSet) {
                headers.put(field);
            }
            if (!hasCors) {
                return;
            }
            String allowed = allowedOrigin(origin);
            if (allowed != null) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
            }
            if (allowCredentials) {
                headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            }
            putExposeHeaders(headers);
            if (addVary) {
                String vary = headers.get(HttpHeader.VARY);
                if (!"Origin".equals(vary)) {
                    headers.put(HttpHeader.VARY, vary == null || vary.isEmpty() ? "Origin" : vary + ",Origin");
                }
            }
        }
    }

    private static List<String> list(List<String> values) {
        return values == null ? List.of() : List.copyOf(values);
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
