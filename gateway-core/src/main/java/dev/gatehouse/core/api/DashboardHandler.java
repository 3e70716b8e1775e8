package dev.gatehouse.core.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code dashboard@internal}: the web dashboard, static files read from the classpath folder
 * {@value #RESOURCES}. {@code /dashboard} redirects to {@code /dashboard/}, which is {@code index.html}; with
 * {@code api.basePath} they are under it. The base itself ({@code /}, or the base path) redirects to the dashboard
 * as in Traefik, so that {@code http://localhost:8080/} with {@code api.insecure} opens it.
 * Only flat file names with a known extension are served (so there is no directory listing and no way out of
 * the folder); every response is revalidated with an ETag ({@code Cache-Control: no-cache}), so an upgraded
 * gateway never leaves a browser with a stale script.
 */
public final class DashboardHandler extends Handler.Abstract.NonBlocking {

    public static final String NAME = "dashboard@internal";
    static final String PREFIX = "/dashboard";
    private static final String RESOURCES = "dev/gatehouse/core/dashboard/";
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*\\.[a-z0-9]+");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "json", "application/json",
            "png", "image/png",
            "ico", "image/x-icon");
    /** The page loads only its own files and talks only to its own origin. */
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

    private record Asset(byte[] bytes, String contentType, String etag) {}

    private static final Asset MISSING = new Asset(null, null, null);

    private final ClassLoader loader;
    private final ApiBasePath base;
    private final Map<String, Asset> assets = new ConcurrentHashMap<>();

    public DashboardHandler() {
        this(ApiBasePath.ROOT);
    }

    /** @param base {@code api.basePath}: the dashboard is at {@code <base>/dashboard/} */
    public DashboardHandler(ApiBasePath base) {
        this(DashboardHandler.class.getClassLoader(), base);
    }

    DashboardHandler(ClassLoader loader) {
        this(loader, ApiBasePath.ROOT);
    }

    private DashboardHandler(ClassLoader loader, ApiBasePath base) {
        this.loader = loader;
        this.base = base;
    }

    /** Whether a request is for the dashboard (so that {@code api.insecure} can answer it ahead of routers). */
    public boolean isDashboardRequest(Request request) {
        String path = base.within(request);
        return path != null && (path.isEmpty() || path.equals("/") || path.equals(PREFIX) || path.startsWith(PREFIX + "/"));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            return text(response, callback, 405, "the dashboard is read-only: use GET\n");
        }
        if (!isDashboardRequest(request)) {
            return text(response, callback, 404, "not found\n");
        }
        String path = base.within(request);
        if (path.isEmpty() || path.equals("/") || path.equals(PREFIX)) {
            // ":8080/" with api.insecure redirects permanently, as Traefik's dashboard_redirect middleware does; the
            // api.basePath itself with a 302, as Traefik's dashboard handler does.
            String query = request.getHttpURI().getQuery();
            response.setStatus(path.equals(PREFIX) || base.prefix().isEmpty() ? 301 : 302);
            response.getHeaders().put(HttpHeader.LOCATION,
                    base.prefix() + PREFIX + "/" + (query == null ? "" : "?" + query));
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
            response.write(true, null, callback);
            return true;
        }
        String name = path.substring(PREFIX.length() + 1);
        if (name.isEmpty()) {
            name = "index.html";
        }
        Asset asset = asset(name);
        if (asset == MISSING) {
            return text(response, callback, 404, "not found\n");
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, asset.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put(HttpHeader.ETAG, asset.etag());
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put("Content-Security-Policy", CSP);
        String ifNoneMatch = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
        if (ifNoneMatch != null && (ifNoneMatch.contains(asset.etag()) || ifNoneMatch.strip().equals("*"))) {
            response.setStatus(304);
            response.write(true, null, callback);
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, asset.bytes().length);
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        response.write(true, head ? null : ByteBuffer.wrap(asset.bytes()), callback);
        return true;
    }

    /** The file of that name, or {@link #MISSING}: names are flat, with a known extension. */
    private Asset asset(String name) {
        if (!FILE_NAME.matcher(name).matches()) {
            return MISSING;
        }
        String type = CONTENT_TYPES.get(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            return MISSING;
        }
        Asset cached = assets.get(name);
        if (cached != null) {
            return cached;
        }
        // Only the dashboard's own files are kept: a name a client made up is looked up (in the jar's index, in
        // memory) each time, so that clients cannot grow the map without end.
        Asset loaded = load(name, type);
        if (loaded != MISSING) {
            assets.put(name, loaded);
        }
        return loaded;
    }

    /** How many files are kept in memory (for tests). */
    int keptFiles() {
        return assets.size();
    }

    private Asset load(String name, String type) {
        try (InputStream in = loader.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                return MISSING;
            }
            byte[] bytes = in.readAllBytes();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new Asset(bytes, type, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean text(Response response, Callback callback, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }
}
