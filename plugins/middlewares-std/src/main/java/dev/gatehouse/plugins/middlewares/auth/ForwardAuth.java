package dev.gatehouse.plugins.middlewares.auth;

import com.google.re2j.Pattern;
import dev.gatehouse.api.ForwardedHeaders;
import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.api.http.BodyReader;
import dev.gatehouse.api.http.PeekedRequest;
import dev.gatehouse.plugins.middlewares.internal.ClientTls;
import dev.gatehouse.plugins.middlewares.internal.CommitHook;
import dev.gatehouse.plugins.middlewares.internal.GoRegex;
import dev.gatehouse.plugins.middlewares.internal.Responses;
import dev.gatehouse.plugins.middlewares.internal.RewrittenRequest;
import dev.gatehouse.plugins.middlewares.internal.SourceCriterion;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
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
 * {@code forwardAuth}: asks an authentication service first. The request's headers (all, or only
 * {@code authRequestHeaders}) go to {@code address} in a GET (or the request's method with
 * {@code preserveRequestMethod}), with {@code X-Forwarded-Method/-Proto/-Host/-Uri/-For}, and with
 * {@code forwardBody} its body (held in memory, at most {@code maxBodySize} bytes, and then sent on as well); a 2XX
 * answer lets the request go on with the {@code authResponseHeaders} (and those matching
 * {@code authResponseHeadersRegex}) copied onto it; any other answer is returned to the client as it is (a 401 is a
 * redirect to {@code authSigninURL} when set). The call is non-blocking (the JDK's HTTP client, {@code sendAsync});
 * redirects are not followed; it times out after 30s (500).
 */
@Extension
public final class ForwardAuth implements Middleware<ForwardAuth.Config> {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> HOP = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "trailers", "transfer-encoding", "upgrade");
    /** Headers the JDK client sets itself and refuses to be given. */
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "expect", "connection", "upgrade", "http2-settings");

    private static final HttpClient DEFAULT_CLIENT = client(null);

    /**
     * @param ca CA certificates (PEM file) to trust
     * @param cert a client certificate (PEM file or text) to present, with {@code key}
     * @param key the client certificate's private key
     * @param insecureSkipVerify accept any certificate
     * @param caOptional deprecated in Traefik v3 and without effect there (a server-side option): accepted, ignored
     */
    public record TlsConfig(String ca, String cert, String key, Boolean insecureSkipVerify, Boolean caOptional) {

        public TlsConfig(String ca, String cert, String key, Boolean insecureSkipVerify) {
            this(ca, cert, key, insecureSkipVerify, null);
        }
    }

    /**
     * @param forwardBody send the request's body to the service too
     * @param maxBodySize with {@code forwardBody}, the largest body sent (larger: 401); none or negative: no limit
     * @param maxResponseBodySize the largest body of the service's answer (larger: 401); none or negative: no limit
     * @param headerField the header of the service's answer that names the user, for the access log
     * @param preserveLocationHeader pass the service's {@code Location} as it is, not resolved against {@code address}
     * @param authSigninURL where a 401 from the service redirects the client (302) instead
     */
    public record Config(String address, TlsConfig tls, Boolean trustForwardHeader, List<String> authResponseHeaders,
            String authResponseHeadersRegex, List<String> authRequestHeaders, List<String> addAuthCookiesToResponse,
            Boolean preserveRequestMethod, Boolean forwardBody, Long maxBodySize, Long maxResponseBodySize,
            String headerField, Boolean preserveLocationHeader, String authSigninURL) {

        /** Without the body, size, user, Location and sign-in options. */
        public Config(String address, TlsConfig tls, Boolean trustForwardHeader, List<String> authResponseHeaders,
                String authResponseHeadersRegex, List<String> authRequestHeaders, List<String> addAuthCookiesToResponse,
                Boolean preserveRequestMethod) {
            this(address, tls, trustForwardHeader, authResponseHeaders, authResponseHeadersRegex, authRequestHeaders,
                    addAuthCookiesToResponse, preserveRequestMethod, null, null, null, null, null, null);
        }
    }

    private final GatewayEnvironment environment;

    @Inject
    public ForwardAuth(GatewayEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public String name() {
        return "forwardAuth";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) throws Exception {
        if (config == null || config.address() == null || config.address().isBlank()) {
            throw new IllegalArgumentException("'address' is required (the URL of the authentication service)");
        }
        URI address;
        try {
            address = URI.create(config.address());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'address' is not a URL: " + e.getMessage());
        }
        if (address.getScheme() == null || !(address.getScheme().equals("http") || address.getScheme().equals("https"))
                || address.getHost() == null) {
            throw new IllegalArgumentException("'address' must be an http:// or https:// URL, not '" + config.address() + "'");
        }
        HttpClient client = config.tls() == null ? DEFAULT_CLIENT : client(sslContext(config.tls()));
        boolean trustForward = Boolean.TRUE.equals(config.trustForwardHeader());
        List<String> responseHeaders = config.authResponseHeaders() == null ? List.of() : List.copyOf(config.authResponseHeaders());
        Pattern responseRegex = config.authResponseHeadersRegex() == null || config.authResponseHeadersRegex().isEmpty() ? null
                : GoRegex.compile("authResponseHeadersRegex", config.authResponseHeadersRegex());
        List<String> requestHeaders = config.authRequestHeaders() == null ? List.of() : List.copyOf(config.authRequestHeaders());
        List<String> cookies = config.addAuthCookiesToResponse() == null ? List.of() : List.copyOf(config.addAuthCookiesToResponse());
        boolean preserveMethod = Boolean.TRUE.equals(config.preserveRequestMethod());
        boolean forwardBody = Boolean.TRUE.equals(config.forwardBody());
        long maxBody = config.maxBodySize() == null || config.maxBodySize() < 0 ? Long.MAX_VALUE : config.maxBodySize();
        long maxResponseBody = config.maxResponseBodySize() == null || config.maxResponseBodySize() < 0 ? Long.MAX_VALUE
                : config.maxResponseBodySize();
        String userHeader = config.headerField() == null || config.headerField().isBlank() ? null : config.headerField();
        boolean preserveLocation = Boolean.TRUE.equals(config.preserveLocationHeader());
        String signinUrl = config.authSigninURL() == null || config.authSigninURL().isBlank() ? null
                : config.authSigninURL();
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                // As Traefik: a CONNECT of unknown length is a tunnel, not a body to send.
                if (!forwardBody || (HttpMethod.CONNECT.is(request.getMethod()) && request.getLength() < 0)) {
                    authorize(request, null, response, callback);
                    return true;
                }
                BodyReader.read(request, maxBody, (held, whole) -> {
                    if (held.length > maxBody) {
                        Responses.status(response, callback, HttpStatus.UNAUTHORIZED_401);
                    } else {
                        authorize(new PeekedRequest(request, held, true), held, response, callback);
                    }
                }, callback);
                return true;
            }

            /** Asks the service about {@code request}, whose body, when sent to it too, is {@code body}. */
            private void authorize(Request request, byte[] body, Response response, Callback callback) {
                HttpRequest authRequest = authRequest(address, request, trustForward && ForwardedHeaders.trusted(request),
                        requestHeaders, preserveMethod, body);
                client.sendAsync(authRequest, responseInfo -> LimitedBody.of(maxResponseBody)).whenComplete((auth, failure) -> {
                    try {
                        if (failure != null) {
                            Response.writeError(request, response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500);
                            return;
                        }
                        if (userHeader != null) {
                            auth.headers().firstValue(userHeader).ifPresent(
                                    user -> request.setAttribute(MiddlewareContext.Attributes.CLIENT_USERNAME, user));
                        }
                        if (auth.body() == null) {
                            Responses.status(response, callback, HttpStatus.UNAUTHORIZED_401);   // larger than allowed
                            return;
                        }
                        if (signinUrl != null && auth.statusCode() == HttpStatus.UNAUTHORIZED_401) {
                            response.getHeaders().put(HttpHeader.LOCATION, signinUrl);
                            Responses.status(response, callback, HttpStatus.FOUND_302);
                            return;
                        }
                        if (auth.statusCode() < 200 || auth.statusCode() >= 300) {
                            reject(auth, address, preserveLocation, response, callback);
                            return;
                        }
                        Request authorized = withAuthHeaders(request, auth, responseHeaders, responseRegex);
                        Response out = response;
                        Callback done = callback;
                        List<String> setCookies = matchingCookies(auth, cookies);
                        if (!setCookies.isEmpty()) {
                            CommitHook hook = CommitHook.of(response, r -> setCookies.forEach(c -> r.getHeaders().add(HttpHeader.SET_COOKIE, c)));
                            out = hook;
                            done = hook.callback(callback);
                        }
                        if (!super.handle(authorized, out, done)) {
                            Response.writeError(authorized, out, done, HttpStatus.NOT_FOUND_404);
                        }
                    } catch (Throwable t) {
                        Response.writeError(request, response, callback, t);
                    }
                });
            }
        };
    }

    static HttpRequest authRequest(URI address, Request request, boolean trustForward, List<String> allowed,
            boolean preserveMethod, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(address).timeout(TIMEOUT);
        builder.method(preserveMethod ? request.getMethod() : "GET", body == null || body.length == 0
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpFields headers = request.getHeaders();
        for (HttpField field : headers) {
            String name = field.getLowerCaseName();
            if (HOP.contains(name) || RESTRICTED.contains(name) || name.startsWith("x-forwarded-")) {
                continue;
            }
            if (!allowed.isEmpty() && allowed.stream().noneMatch(a -> a.equalsIgnoreCase(field.getName()))) {
                continue;
            }
            builder.header(field.getName(), field.getValue());
        }
        String clientIp = SourceCriterion.remoteAddr(request);
        String priorFor = trustForward ? String.join(", ", headers.getValuesList("X-Forwarded-For")) : "";
        builder.setHeader("X-Forwarded-For", priorFor.isEmpty() ? clientIp : priorFor + ", " + clientIp);
        builder.setHeader("X-Forwarded-Method", pick(trustForward, headers.get("X-Forwarded-Method"), request.getMethod()));
        builder.setHeader("X-Forwarded-Proto", pick(trustForward, headers.get("X-Forwarded-Proto"), request.isSecure() ? "https" : "http"));
        String port = trustForward ? headers.get("X-Forwarded-Port") : null;
        if (port != null && !port.isEmpty()) {
            builder.setHeader("X-Forwarded-Port", port);
        }
        String host = headers.get(HttpHeader.HOST);
        String forwardedHost = pick(trustForward, headers.get("X-Forwarded-Host"), host);
        if (forwardedHost != null && !forwardedHost.isEmpty()) {
            builder.setHeader("X-Forwarded-Host", forwardedHost);
        }
        String target = request.getHttpURI().getPathQuery();
        builder.setHeader("X-Forwarded-Uri", pick(trustForward, headers.get("X-Forwarded-Uri"),
                target == null || target.isEmpty() ? "/" : target));
        return builder.build();
    }

    private static String pick(boolean trust, String forwarded, String own) {
        return trust && forwarded != null && !forwarded.isEmpty() ? forwarded : own;
    }

    /** The authentication service's answer, as it is, to the client (hop-by-hop headers aside). */
    private static void reject(HttpResponse<byte[]> auth, URI address, boolean preserveLocation, Response response,
            Callback callback) {
        HttpFields.Mutable headers = response.getHeaders();
        for (Map.Entry<String, List<String>> e : auth.headers().map().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (HOP.contains(name) || name.equals("content-length") || name.startsWith(":")) {
                continue;
            }
            for (String v : e.getValue()) {
                headers.add(e.getKey(), v);
            }
        }
        auth.headers().firstValue("Location").filter(location -> !preserveLocation).ifPresent(location -> {
            try {
                headers.put(HttpHeader.LOCATION, address.resolve(location).toString());
            } catch (IllegalArgumentException ignored) {
                // left as sent
            }
        });
        response.setStatus(auth.statusCode());
        response.write(true, ByteBuffer.wrap(auth.body()), callback);
    }

    private static Request withAuthHeaders(Request request, HttpResponse<byte[]> auth, List<String> names, Pattern regex) {
        if (names.isEmpty() && regex == null) {
            return request;
        }
        HttpFields.Mutable headers = HttpFields.build(request.getHeaders());
        for (String name : names) {
            headers.remove(name);
            for (String v : auth.headers().allValues(name)) {
                headers.add(name, v);
            }
        }
        if (regex != null) {
            List<String> toRemove = new ArrayList<>();
            for (HttpField f : headers) {
                if (regex.matcher(f.getName()).find()) {
                    toRemove.add(f.getName());
                }
            }
            toRemove.forEach(headers::remove);
            for (Map.Entry<String, List<String>> e : auth.headers().map().entrySet()) {
                if (!e.getKey().startsWith(":") && regex.matcher(canonical(e.getKey())).find()) {
                    for (String v : e.getValue()) {
                        headers.add(canonical(e.getKey()), v);
                    }
                }
            }
        }
        return RewrittenRequest.of(request, null, headers.asImmutable());
    }

    /** Go's CanonicalHeaderKey: {@code x-auth-user} -> {@code X-Auth-User} (the JDK lower-cases HTTP/2 names). */
    static String canonical(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = true;
        for (char c : name.toCharArray()) {
            out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return out.toString();
    }

    private static List<String> matchingCookies(HttpResponse<byte[]> auth, List<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String setCookie : auth.headers().allValues("Set-Cookie")) {
            int eq = setCookie.indexOf('=');
            String name = eq < 0 ? setCookie.strip() : setCookie.substring(0, eq).strip();
            if (names.contains(name)) {
                out.add(setCookie);
            }
        }
        return out;
    }

    private static HttpClient client(SSLContext ssl) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT);
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        return builder.build();
    }

    private SSLContext sslContext(TlsConfig tls) throws Exception {
        ClientTls read = ClientTls.of(environment, "tls", tls.ca(), tls.cert(), tls.key(),
                Boolean.TRUE.equals(tls.insecureSkipVerify()));
        if (read.keyManagers() == null && read.trustManagers() == null) {
            return SSLContext.getDefault();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(read.keyManagers(), read.trustManagers(), new SecureRandom());
        return context;
    }
}
