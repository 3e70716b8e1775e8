package dev.gatehouse.plugins.middlewares.internal;

import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.util.URIUtil;

/** Go's {@code URL.Path} / {@code URL.RawPath} pair, over Jetty's raw path. */
public final class Paths {

    private Paths() {
    }

    /** The decoded path (Go's {@code URL.Path}) of a raw one; {@code %2F} becomes {@code /} as in Go. */
    public static String decode(String rawPath) {
        if (rawPath.indexOf('%') < 0) {
            return rawPath;
        }
        return URIUtil.decodePath(rawPath);
    }

    /**
     * Where, in {@code rawPath}, the decoded prefix of {@code decodedLength} UTF-8 bytes ends: how much of the raw
     * path to strip when {@code prefix} was matched on the decoded path. -1 when the raw path is shorter.
     */
    public static int rawIndexAfter(String rawPath, String decodedPrefix) {
        int wanted = decodedPrefix.getBytes(StandardCharsets.UTF_8).length;
        int bytes = 0;
        int i = 0;
        while (bytes < wanted) {
            if (i >= rawPath.length()) {
                return -1;
            }
            char c = rawPath.charAt(i);
            if (c == '%' && i + 2 < rawPath.length()) {
                bytes++;
                i += 3;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i += 2;
            } else {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
                i++;
            }
        }
        return bytes == wanted ? i : -1;
    }

    /** {@code "/" + s} unless {@code s} is empty or starts with a slash (Traefik's ensureLeadingSlash). */
    public static String ensureLeadingSlash(String s) {
        if (s.isEmpty() || s.charAt(0) == '/') {
            return s;
        }
        return "/" + s;
    }

    /** Whether the path has a {@code .} or {@code ..} segment, which a prefix strip must not expose. */
    public static boolean hasDotSegment(String path) {
        int start = 0;
        int n = path.length();
        while (start <= n) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? n : slash;
            int len = end - start;
            if ((len == 1 && path.charAt(start) == '.') || (len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
                return true;
            }
            if (slash < 0) {
                return false;
            }
            start = slash + 1;
        }
        return false;
    }

    /**
     * Whether every {@code %} in {@code rawPath} starts a valid escape ({@code %} and two hex digits), as Go's
     * {@code url.PathUnescape} requires.
     */
    public static boolean validEscapes(String rawPath) {
        for (int i = rawPath.indexOf('%'); i >= 0; i = rawPath.indexOf('%', i + 1)) {
            if (i + 2 >= rawPath.length() || Character.digit(rawPath.charAt(i + 1), 16) < 0
                    || Character.digit(rawPath.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Go's {@code URL.JoinPath()} with no elements, on a raw path: {@code path.Clean} (no {@code .} or {@code ..}
     * segments, no repeated slashes) keeping one trailing slash; a relative path stays relative. Traefik's path
     * middlewares refuse (400) a rewritten path this changes, so that a rewrite cannot step out of its prefix.
     */
    public static String goJoinPath(String rawPath) {
        boolean rooted = rawPath.startsWith("/");
        java.util.ArrayDeque<String> kept = new java.util.ArrayDeque<>();
        for (String segment : rawPath.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                kept.pollLast(); // ".." at the root stays at the root (relative paths are rooted first, as in Go)
                continue;
            }
            kept.addLast(segment);
        }
        String cleaned = "/" + String.join("/", kept);
        if (!rooted) {
            cleaned = cleaned.substring(1);
        }
        if (rawPath.endsWith("/") && !cleaned.endsWith("/")) {
            cleaned += "/";
        }
        return cleaned;
    }
}
