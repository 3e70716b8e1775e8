package dev.gatehouse.plugins.middlewares.auth;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.RewrittenRequest;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code basicAuth}: HTTP Basic authentication against htpasswd users. A missing or wrong credential gets 401 with
 * {@code WWW-Authenticate: Basic realm="<realm>"}; a right one goes on, with the user name in {@code headerField}
 * when set and without the {@code Authorization} header when {@code removeHeader} is true.
 */
@Extension
public final class BasicAuth implements Middleware<BasicAuth.Config> {

    public record Config(List<String> users, String usersFile, String realm, Boolean removeHeader, String headerField) {
    }

    private final GatewayEnvironment environment;

    @Inject
    public BasicAuth(GatewayEnvironment environment) {
        this.environment = requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return "basicAuth";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** A user in {@code users} whose password is no htpasswd hash: loaded, as Traefik does, but it can never log in. */
    @Override
    public List<String> deprecations(Config config) {
        if (config == null || config.users() == null) {
            return List.of();
        }
        return config.users().stream()
                .filter(entry -> entry.indexOf(':') > 0 && !Htpasswd.supported(entry.substring(entry.indexOf(':') + 1).strip()))
                .map(entry -> "user '" + entry.substring(0, entry.indexOf(':')) + "' has a password that is not an htpasswd"
                        + " hash, so this user can never log in (as in Traefik): write it with htpasswd -B (bcrypt),"
                        + " -m (Apache MD5) or -s (SHA-1)")
                .toList();
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config == null) {
            throw new IllegalArgumentException("no users: set 'users' or 'usersFile'");
        }
        Htpasswd users = Htpasswd.of(config.users(), config.usersFile() == null || config.usersFile().isBlank()
                ? null : environment.resolve(config.usersFile()));
        String realm = config.realm() == null || config.realm().isEmpty() ? "traefik" : config.realm();
        String challenge = "Basic realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        boolean removeHeader = Boolean.TRUE.equals(config.removeHeader());
        String headerField = config.headerField() == null || config.headerField().isEmpty() ? null : config.headerField();
        boolean slow = users.slowToCheck();
        return new Handler.Wrapper() {
            /** Checking a bcrypt or Apache MD5 hash takes long: its requests are run on a pool thread. */
            @Override
            public InvocationType getInvocationType() {
                return slow ? InvocationType.BLOCKING : super.getInvocationType();
            }

            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String[] credentials = basicCredentials(request.getHeaders().get(HttpHeader.AUTHORIZATION));
                if (credentials == null || !users.check(credentials[0], credentials[1])) {
                    response.setStatus(HttpStatus.UNAUTHORIZED_401);
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, challenge);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                    response.write(true, ByteBuffer.wrap("Unauthorized".getBytes(StandardCharsets.UTF_8)), callback);
                    return true;
                }
                if (headerField == null && !removeHeader) {
                    return super.handle(request, response, callback);
                }
                HttpFields.Mutable headers = HttpFields.build(request.getHeaders());
                if (headerField != null) {
                    headers.put(headerField, credentials[0]);
                }
                if (removeHeader) {
                    headers.remove(HttpHeader.AUTHORIZATION);
                }
                return super.handle(RewrittenRequest.of(request, null, headers.asImmutable()), response, callback);
            }
        };
    }

    /** {@code [user, password]} from {@code Basic <base64(user:password)>}, as Go's Request.BasicAuth; else null. */
    static String[] basicCredentials(String authorization) {
        if (authorization == null || authorization.length() < 6 || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return null;
        }
        return new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
    }
}
