package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.Matcher;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads a raw query string as Go's {@code url.ParseQuery} does, in place, without building a map: pairs are
 * separated by {@code &}; a pair containing {@code ;} or a malformed {@code %} escape is ignored; the name and
 * value are decoded ({@code %XX} bytes as UTF-8, {@code +} as a space); a pair without {@code =} has the
 * empty value. So {@code ?mobile} and {@code ?mobile=} both give {@code mobile} the value "". (The gateway's
 * entry points have already turned the query's semicolons into {@code &}, as Traefik's do by default.)
 */
final class QueryString {

    /** The test a matcher applies to the raw value range of each pair whose name matched. */
    interface ValueTest {
        boolean test(String query, int start, int end);
    }

    private QueryString() {
    }

    static void requireArguments(Matcher matcher, List<String> arguments) {
        if (arguments.size() != 1 && arguments.size() != 2) {
            throw new IllegalArgumentException(matcher.name() + " expects 1 or 2 arguments (name[, value]), got "
                    + arguments.size());
        }
        if (arguments.get(0).isEmpty()) {
            throw new IllegalArgumentException(matcher.name() + " needs a parameter name as its first argument, got an empty one");
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether some well-formed pair named {@code name} (UTF-8 bytes) has a value passing the test. */
    static boolean anyValue(String query, byte[] name, ValueTest test) {
        if (query == null) {
            return false;
        }
        int n = query.length();
        int start = 0;
        while (start < n) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = n;
            }
            if (end > start && indexOf(query, ';', start, end) < 0 && wellFormed(query, start, end)) {
                int eq = indexOf(query, '=', start, end);
                int nameEnd = eq < 0 ? end : eq;
                int valueStart = eq < 0 ? end : eq + 1;
                if (decodedEquals(query, start, nameEnd, name) && test.test(query, valueStart, end)) {
                    return true;
                }
            }
            start = end + 1;
        }
        return false;
    }

    /** Compares the decoded range with the expected bytes, decoding on the fly. */
    static boolean decodedEquals(String s, int from, int to, byte[] expected) {
        int j = 0;
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            int b;
            if (c == '%') {
                b = hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2));
                i += 3;
            } else if (c == '+') {
                b = ' ';
                i++;
            } else if (c < 0x80) {
                b = c;
                i++;
            } else {
                // a raw non-ASCII character: compare its UTF-8 bytes
                int cp = s.codePointAt(i);
                i += Character.charCount(cp);
                byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                for (byte x : bytes) {
                    if (j >= expected.length || expected[j++] != x) {
                        return false;
                    }
                }
                continue;
            }
            if (j >= expected.length || (expected[j++] & 0xFF) != b) {
                return false;
            }
        }
        return j == expected.length;
    }

    /** The decoded range as a string; allocates only when there is something to decode. */
    static String decode(String s, int from, int to) {
        if (indexOf(s, '%', from, to) < 0 && indexOf(s, '+', from, to) < 0) {
            return s.substring(from, to);
        }
        byte[] bytes = new byte[(to - from) * 4];
        int j = 0;
        for (int i = from; i < to;) {
            char c = s.charAt(i);
            if (c == '%') {
                bytes[j++] = (byte) (hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
                i += 3;
            } else if (c == '+') {
                bytes[j++] = ' ';
                i++;
            } else if (c < 0x80) {
                bytes[j++] = (byte) c;
                i++;
            } else {
                int cp = s.codePointAt(i);
                i += Character.charCount(cp);
                for (byte x : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    bytes[j++] = x;
                }
            }
        }
        return new String(bytes, 0, j, StandardCharsets.UTF_8);
    }

    /** Go's unescape fails on a {@code %} not followed by two hex digits; ParseQuery then drops the pair. */
    private static boolean wellFormed(String s, int from, int to) {
        for (int i = indexOf(s, '%', from, to); i >= 0; i = indexOf(s, '%', i + 3, to)) {
            if (i + 2 >= to || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(String s, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
