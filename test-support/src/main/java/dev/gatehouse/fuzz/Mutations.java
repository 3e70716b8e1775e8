package dev.gatehouse.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Mutations of valid configuration text (YAML, TOML), aware of its lines, keys and values: what a typo, a bad
 * merge or a hostile edit makes of a real file. Each mutation keeps most of the file intact, so the parser and
 * the binder get past the first line and exercise what comes after.
 */
public final class Mutations {

    /** Values that are wrong in interesting ways: types, numbers, quotes, YAML and TOML syntax, long and empty. */
    private static final List<String> VALUES = List.of("", "~", "null", "true", "false", "0", "-1", "1e309",
            "99999999999999999999", "0x1F", "\"\"", "''", "[]", "{}", "[[]]", "{a: {b: [1, {c: d}]}}", "*a", "&a x",
            "<<: *a", "!!binary AAAA", "!!str", "|", ">-", "\"unterminated", "'it''s'", "`", "\\", "\t", "-", "- -",
            "? x", ":", "#", "%YAML 1.2", "---", "...", "[a, b", "{a: b", "=", "[[x]]", "\"\"\"", "1979-05-27T07:32:00Z",
            "inf", "nan", "é", "\u0000", "\uFFFF", "Host(`a`)", "10s", "-5s", "http://[::1", ":99999", "x".repeat(300));

    private static final List<String> KEYS = List.of("http", "tls", "routers", "services", "middlewares", "servers",
            "server", "url", "rule", "entryPoints", "address", "providers", "file", "docker", "loadBalancer",
            "weighted", "api", "log", "level", "<<", "\"\"", "a.b", "[x]", "0", "é", "Servers", "SERVICES");

    private Mutations() {
    }

    /** A text resource on the class path, read whole. */
    public static String resource(Class<?> anchor, String name) {
        try (InputStream in = anchor.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One to five mutations applied in turn to {@code seed}. */
    public static Arbitrary<String> of(String seed) {
        return mutation().list().ofMinSize(1).ofMaxSize(5).map(steps -> {
            String text = seed;
            for (Mutation step : steps) {
                text = step.apply(text);
            }
            return text;
        });
    }

    private static Arbitrary<Mutation> mutation() {
        return Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.integers(),
                Arbitraries.integers(), Arbitraries.of(VALUES), Arbitraries.of(KEYS)).as(Mutation::new);
    }

    /** One edit: {@code kind} says which, {@code at} and {@code other} pick lines or positions. */
    record Mutation(int kind, int at, int other, String value, String key) {

        String apply(String text) {
            List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
            int i = Math.floorMod(at, lines.size());
            int j = Math.floorMod(other, lines.size());
            String line = lines.get(i);
            int colon = line.indexOf(':') >= 0 ? line.indexOf(':') : line.indexOf('=');
            switch (kind) {
                case 0 -> lines.remove(i);                                                 // a line lost
                case 1 -> lines.add(j, line);                                              // a line repeated
                case 2 -> { lines.set(i, lines.get(j)); lines.set(j, line); }               // two lines swapped
                case 3 -> { if (colon >= 0) { lines.set(i, line.substring(0, colon + 1) + " " + value); } } // new value
                case 4 -> { if (colon >= 0) { lines.set(i, indent(line) + key + line.substring(colon)); } } // new key
                case 5 -> lines.set(i, (Math.floorMod(other, 2) == 0 ? "  " : "") + line.strip()); // indentation
                case 6 -> lines.add(i, indent(line) + key + (Math.floorMod(other, 2) == 0 ? ": " : " = ") + value);
                case 7 -> {                                                                // a character changed
                    if (!text.isEmpty()) {
                        int p = Math.floorMod(other, text.length());
                        String c = value.isEmpty() ? "" : value.substring(0, 1);
                        return text.substring(0, p) + c + text.substring(Math.min(text.length(), p + 1));
                    }
                }
                case 8 -> { return text.substring(0, Math.floorMod(other, text.length() + 1)); } // truncated
                default -> lines.set(i, line + line);                                      // a line doubled in place
            }
            return String.join("\n", lines);
        }

        private static String indent(String line) {
            return line.substring(0, line.length() - line.stripLeading().length());
        }
    }
}
