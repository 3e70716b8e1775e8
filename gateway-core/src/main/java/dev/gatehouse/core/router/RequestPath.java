package dev.gatehouse.core.router;

/**
 * The request path as Traefik routes and forwards it, in two steps applied by the entry point:
 *
 * <ol>
 *   <li>{@link #normalise}: percent-encoded unreserved characters (RFC 3986 2.3: letters, digits,
 *       {@code - . _ ~}) are decoded, and every other escape is kept with upper-case hex (6.2.2.1); so
 *       {@code %41} is {@code A}, {@code %7e} is {@code ~}, while {@code %2F}, {@code %3F}, {@code %25} and
 *       {@code %2f} (as {@code %2F}) stay encoded and never become a separator.</li>
 *   <li>{@link #sanitise}, when the entry point's {@code http.sanitizePath} is on (the default):
 *       {@code .} and {@code ..} segments and repeated slashes are removed (6.2.2.3), a trailing slash is
 *       kept, and {@code ..} never climbs above the root: {@code /a/../b} is {@code /b}, {@code //x} is
 *       {@code /x}, {@code /foo/bar//} is {@code /foo/bar/}.</li>
 * </ol>
 *
 * Normalising first means {@code %2e%2e} is a {@code ..} segment like any other and is removed too. Both steps
 * return their argument itself when there is nothing to change, which is the common case: no allocation.
 *
 * <p>Rules then match the {@link #routing} form of that path, which decodes the other escapes too (but is never
 * forwarded), as Traefik does.
 */
public final class RequestPath {

    private RequestPath() {
    }

    /** Both steps, as an entry point applies them. */
    public static String of(String rawPath, boolean sanitise) {
        String path = normalise(rawPath == null || rawPath.isEmpty() ? "/" : rawPath);
        return sanitise ? sanitise(path) : path;
    }

    /** Decodes escaped unreserved characters and upper-cases the hex of the other escapes. */
    public static String normalise(String path) {
        int percent = path.indexOf('%');
        if (percent < 0) {
            return path;
        }
        StringBuilder out = null;
        int copied = 0;
        for (int i = percent; i >= 0 && i + 2 < path.length(); i = path.indexOf('%', i + 1)) {
            int high = Character.digit(path.charAt(i + 1), 16);
            int low = Character.digit(path.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                continue;   // not an escape; Jetty refuses such requests before routing anyway
            }
            char decoded = (char) (high << 4 | low);
            String replacement;
            if (unreserved(decoded)) {
                replacement = String.valueOf(decoded);
            } else if (Character.isLowerCase(path.charAt(i + 1)) || Character.isLowerCase(path.charAt(i + 2))) {
                replacement = path.substring(i, i + 3).toUpperCase(java.util.Locale.ROOT);
            } else {
                continue;   // already canonical
            }
            if (out == null) {
                out = new StringBuilder(path.length());
            }
            out.append(path, copied, i).append(replacement);
            copied = i + 3;
            i += 2;
        }
        if (out == null) {
            return path;
        }
        return out.append(path, copied, path.length()).toString();
    }

    /** Removes dot segments and empty segments of a rooted path; keeps a trailing slash. */
    public static String sanitise(String path) {
        if (path.isEmpty() || path.charAt(0) != '/' || clean(path)) {
            return path;
        }
        String[] segments = path.substring(1).split("/", -1);
        String[] kept = new String[segments.length];
        int depth = 0;
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (depth > 0) {
                    depth--;
                }
                continue;
            }
            kept[depth++] = segment;
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < depth; i++) {
            out.append('/').append(kept[i]);
        }
        if (out.length() == 0 || path.endsWith("/")) {
            out.append('/');
        }
        return out.toString();
    }

    /** No "//", and no segment that is "." or "..". */
    private static boolean clean(String path) {
        int n = path.length();
        for (int i = 0; i < n; i++) {
            if (path.charAt(i) != '/' || i + 1 >= n) {
                continue;
            }
            char next = path.charAt(i + 1);
            if (next == '/') {
                return false;
            }
            if (next == '.') {
                int end = path.indexOf('/', i + 1);
                int length = (end < 0 ? n : end) - (i + 1);
                if (length == 1 || length == 2 && path.charAt(i + 2) == '.') {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The path rules match, from a {@linkplain #normalise normalised} one, as Traefik's routing path: every escape
     * is decoded except those of RFC 3986's reserved characters and {@code %} itself ({@code :/?#[]@!$&'()*+,;=%}),
     * which stay encoded so that they keep their meaning; decoded bytes are read as UTF-8. So
     * {@code /foo%20bar} is {@code /foo bar} and {@code /caf%C3%A9} is {@code /café}, while {@code /a%2Fb}
     * stays as it is. Returns its argument when it holds no escape to decode.
     */
    public static String routing(String normalised) {
        int percent = normalised.indexOf('%');
        if (percent < 0) {
            return normalised;
        }
        java.io.ByteArrayOutputStream bytes = null;
        int copied = 0;
        for (int i = percent; i >= 0 && i + 2 < normalised.length(); i = normalised.indexOf('%', i + 1)) {
            int high = Character.digit(normalised.charAt(i + 1), 16);
            int low = Character.digit(normalised.charAt(i + 2), 16);
            if (high < 0 || low < 0 || ROUTING_RESERVED.indexOf(high << 4 | low) >= 0) {
                continue;
            }
            if (bytes == null) {
                bytes = new java.io.ByteArrayOutputStream(normalised.length());
            }
            bytes.writeBytes(normalised.substring(copied, i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            bytes.write(high << 4 | low);
            copied = i + 3;
            i += 2;
        }
        if (bytes == null) {
            return normalised;
        }
        bytes.writeBytes(normalised.substring(copied).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What {@link #routing} leaves encoded: Traefik's reservedCharacters (RFC 3986 2.2, and {@code %}). */
    private static final String ROUTING_RESERVED = ":/?#[]@!$&'()*+,;=%";

    private static boolean unreserved(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
