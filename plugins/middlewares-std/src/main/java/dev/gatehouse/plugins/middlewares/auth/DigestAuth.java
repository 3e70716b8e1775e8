package dev.gatehouse.plugins.middlewares.auth;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.RewrittenRequest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code digestAuth}: HTTP Digest authentication (RFC 2617, MD5, {@code qop=auth}) against {@code htdigest} users
 * ({@code user:realm:HA1}). Nonces are issued here and remembered (the last 1,000), each with its request counter,
 * so a replayed {@code nc} fails and an unknown nonce gets a fresh challenge with {@code stale=true}.
 */
@Extension
public final class DigestAuth implements Middleware<DigestAuth.Config> {

    static final int NONCES = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Config(List<String> users, String usersFile, String realm, Boolean removeHeader, String headerField) {
    }

    private final GatewayEnvironment environment;

    @Inject
    public DigestAuth(GatewayEnvironment environment) {
        this.environment = requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return "digestAuth";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config == null) {
            throw new IllegalArgumentException("no users: set 'users' or 'usersFile'");
        }
        Map<String, String> secrets = users(config);
        String realm = config.realm() == null || config.realm().isEmpty() ? "traefik" : config.realm();
        boolean removeHeader = Boolean.TRUE.equals(config.removeHeader());
        String headerField = config.headerField() == null || config.headerField().isEmpty() ? null : config.headerField();
        String opaque = random();
        Map<String, Long> nonces = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > NONCES;
            }
        };
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Map<String, String> auth = parse(request.getHeaders().get(HttpHeader.AUTHORIZATION));
                Result result = auth == null ? Result.FAILED : check(auth, request, secrets, realm, opaque, nonces);
                if (result != Result.OK) {
                    String nonce = random();
                    synchronized (nonces) {
                        nonces.put(nonce, 0L);
                    }
                    response.setStatus(HttpStatus.UNAUTHORIZED_401);
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Digest realm=\"" + realm + "\", nonce=\"" + nonce
                            + "\", opaque=\"" + opaque + "\", algorithm=MD5, qop=\"auth\"" + (result == Result.STALE ? ", stale=true" : ""));
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                    response.write(true, ByteBuffer.wrap("401 Unauthorized\n".getBytes(StandardCharsets.UTF_8)), callback);
                    return true;
                }
                if (headerField == null && !removeHeader) {
                    return super.handle(request, response, callback);
                }
                HttpFields.Mutable headers = HttpFields.build(request.getHeaders());
                if (headerField != null) {
                    headers.put(headerField, auth.get("username"));
                }
                if (removeHeader) {
                    headers.remove(HttpHeader.AUTHORIZATION);
                }
                return super.handle(RewrittenRequest.of(request, null, headers.asImmutable()), response, callback);
            }
        };
    }

    enum Result { OK, FAILED, STALE }

    static Result check(Map<String, String> auth, Request request, Map<String, String> secrets, String realm, String opaque,
            Map<String, Long> nonces) {
        String user = auth.get("username");
        String nonce = auth.get("nonce");
        String nc = auth.get("nc");
        String cnonce = auth.get("cnonce");
        String clientResponse = auth.get("response");
        String uri = auth.get("uri");
        if (user == null || nonce == null || nc == null || cnonce == null || clientResponse == null || uri == null
                || !"auth".equals(auth.get("qop")) || !opaque.equals(auth.get("opaque")) || !realm.equals(auth.get("realm"))) {
            return Result.FAILED;
        }
        String target = request.getHttpURI().getPathQuery();
        if (!uri.equals(target)) {
            return Result.FAILED;
        }
        String ha1 = secrets.get(user + ":" + realm);
        // An unknown user is checked against a made-up secret: the same work, the same answer.
        String secret = ha1 != null ? ha1 : "00000000000000000000000000000000";
        String ha2 = md5(request.getMethod() + ":" + uri);
        String expected = md5(secret + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        boolean matches = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                clientResponse.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        if (ha1 == null || !matches) {
            return Result.FAILED;
        }
        long count;
        try {
            count = Long.parseLong(nc, 16);
        } catch (NumberFormatException e) {
            return Result.FAILED;
        }
        synchronized (nonces) {
            Long last = nonces.get(nonce);
            if (last == null) {
                return Result.STALE;
            }
            if (count <= last) {
                return Result.FAILED;   // a replayed request counter
            }
            nonces.put(nonce, count);
        }
        return Result.OK;
    }

    private Map<String, String> users(Config config) {
        // The file first, then users: a user in both takes the entry from users, as in Traefik.
        List<String> all = new ArrayList<>();
        if (config.usersFile() != null && !config.usersFile().isBlank()) {
            try {
                for (String line : Files.readAllLines(environment.resolve(config.usersFile()), StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && !line.strip().startsWith("#")) {
                        all.add(line.strip());
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read usersFile " + config.usersFile() + ": " + e.getMessage());
            }
        }
        all.addAll(config.users() == null ? List.of() : config.users());
        Map<String, String> secrets = new HashMap<>();
        for (String entry : all) {
            String[] parts = entry.split(":");
            if (parts.length != 3 || parts[0].isEmpty() || !parts[2].matches("[0-9a-fA-F]{32}")) {
                throw new IllegalArgumentException("user entry '" + parts[0] + ":...' is not in htdigest's form user:realm:md5hash");
            }
            secrets.put(parts[0] + ":" + parts[1], parts[2].toLowerCase(java.util.Locale.ROOT));
        }
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("no users: set 'users' or 'usersFile'");
        }
        return secrets;
    }

    /** The parameters of {@code Digest k=v, k="v", ...}; null when it is not a Digest header. */
    static Map<String, String> parse(String header) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Digest ", 0, 7)) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        String s = header.substring(7);
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == ',')) {
                i++;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = s.substring(i, eq).strip().toLowerCase(java.util.Locale.ROOT);
            i = eq + 1;
            String value;
            if (i < n && s.charAt(i) == '"') {
                StringBuilder v = new StringBuilder();
                i++;
                while (i < n && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    v.append(s.charAt(i++));
                }
                i++;
                value = v.toString();
            } else {
                int comma = s.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                value = s.substring(i, end).strip();
                i = end;
            }
            params.put(key, value);
        }
        return params;
    }

    static String md5(String s) {
        return HexFormat.of().formatHex(Htpasswd.digest("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static String random() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
