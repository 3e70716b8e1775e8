package dev.gatehouse.core.service;

import dev.gatehouse.core.config.dynamic.StickyConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;

/**
 * The cookie of a sticky service, as Traefik writes it: its value is the first 16 hex digits of the SHA-256
 * of the target's name (a server's URL, or a child service's name). Each target's {@code Set-Cookie} header
 * is encoded once, when the configuration is built.
 */
public final class StickyCookie {

    private final String name;
    private final String attributes;

    private StickyCookie(String name, String attributes) {
        this.name = name;
        this.attributes = attributes;
    }

    /** @param serviceName the qualified name of the service, for the default cookie name */
    public static StickyCookie of(StickyConfig.CookieConfig config, String serviceName) {
        String name = config.name() == null || config.name().isBlank() ? defaultName(serviceName) : sanitize(config.name());
        StringBuilder attributes = new StringBuilder();
        attributes.append("; Path=").append(config.path() == null ? "/" : config.path());
        if (config.domain() != null && !config.domain().isBlank()) {
            attributes.append("; Domain=").append(config.domain());
        }
        int maxAge = config.maxAge() == null ? 0 : config.maxAge();
        if (maxAge > 0) {
            attributes.append("; Max-Age=").append(maxAge);
        } else if (maxAge < 0) {
            attributes.append("; Max-Age=0");
        }
        if (Boolean.TRUE.equals(config.httpOnly())) {
            attributes.append("; HttpOnly");
        }
        if (Boolean.TRUE.equals(config.secure())) {
            attributes.append("; Secure");
        }
        String sameSite = config.sameSite() == null ? "" : config.sameSite().strip().toLowerCase(Locale.ROOT);
        switch (sameSite) {
            case "none" -> attributes.append("; SameSite=None");
            case "lax" -> attributes.append("; SameSite=Lax");
            case "strict" -> attributes.append("; SameSite=Strict");
            case "" -> { }
            default -> throw new IllegalArgumentException("sticky.cookie.sameSite must be none, lax, strict or empty, not '"
                    + config.sameSite() + "'");
        }
        return new StickyCookie(name, attributes.toString());
    }

    /** Traefik's default: {@code _} and the first 5 hex digits of SHA-1("_TRAEFIK_BACKEND_" + service name). */
    static String defaultName(String serviceName) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-1")
                    .digest(("_TRAEFIK_BACKEND_" + serviceName).getBytes(StandardCharsets.UTF_8));
            return ("_" + HexFormat.of().formatHex(hash)).substring(0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As Go's cookie name rules (RFC 2616 tokens): anything else becomes {@code _}. */
    private static String sanitize(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            boolean token = c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
            out.append(token ? c : '_');
        }
        return out.toString();
    }

    /** The cookie value for a target name. */
    public static String valueFor(String targetName) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(targetName.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String name() {
        return name;
    }

    /** The {@code Set-Cookie} header pinning a client to the target whose value is given, encoded once. */
    public HttpField setCookie(String value) {
        return new PreEncodedHttpField(HttpHeader.SET_COOKIE, name + "=" + value + attributes);
    }

    /** The value of this cookie in the request, or null. Reads the Cookie headers without parsing them whole. */
    public String valueIn(Request request) {
        for (HttpField field : request.getHeaders()) {
            if (field.getHeader() != HttpHeader.COOKIE) {
                continue;
            }
            String header = field.getValue();
            int from = 0;
            while (from < header.length()) {
                int end = header.indexOf(';', from);
                if (end < 0) {
                    end = header.length();
                }
                int start = from;
                while (start < end && header.charAt(start) == ' ') {
                    start++;
                }
                int eq = header.indexOf('=', start);
                if (eq > 0 && eq < end && eq - start == name.length() && header.startsWith(name, start)) {
                    String value = header.substring(eq + 1, end).strip();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    return value;
                }
                from = end + 1;
            }
        }
        return null;
    }
}
