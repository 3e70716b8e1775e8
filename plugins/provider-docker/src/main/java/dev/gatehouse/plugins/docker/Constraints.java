package dev.gatehouse.plugins.docker;

import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Traefik's constraint expressions over a container's labels: {@code Label(`key`,`value`)},
 * {@code LabelRegex(`key`,`regexp`)}, {@code !}, {@code &&}, {@code ||} and parentheses, e.g.
 * {@code Label(`team`,`blue`) && !Label(`env`,`test`)}. Parsed once, when the provider starts.
 */
final class Constraints {

    private static final Predicate<Map<String, String>> ALWAYS = labels -> true;

    private final String source;
    private int pos;

    private Constraints(String source) {
        this.source = source;
    }

    /**
     * Parses {@code expression}; null or blank matches every container.
     *
     * @throws IllegalArgumentException naming the expression and what is wrong at which position
     */
    static Predicate<Map<String, String>> parse(String expression) {
        if (expression == null || expression.isBlank()) {
            return ALWAYS;
        }
        Constraints parser = new Constraints(expression);
        Predicate<Map<String, String>> result = parser.or();
        parser.skipSpace();
        if (parser.pos != expression.length()) {
            throw parser.error("unexpected '" + expression.substring(parser.pos) + "'");
        }
        return result;
    }

    private Predicate<Map<String, String>> or() {
        Predicate<Map<String, String>> left = and();
        while (consume("||")) {
            left = left.or(and());
        }
        return left;
    }

    private Predicate<Map<String, String>> and() {
        Predicate<Map<String, String>> left = unary();
        while (consume("&&")) {
            left = left.and(unary());
        }
        return left;
    }

    private Predicate<Map<String, String>> unary() {
        if (consume("!")) {
            return unary().negate();
        }
        if (consume("(")) {
            Predicate<Map<String, String>> inner = or();
            expect(")");
            return inner;
        }
        skipSpace();
        int start = pos;
        while (pos < source.length() && Character.isLetter(source.charAt(pos))) {
            pos++;
        }
        String function = source.substring(start, pos);
        if (function.isEmpty()) {
            throw error(pos >= source.length() ? "expression ends too early" : "expected Label or LabelRegex");
        }
        expect("(");
        String key = string();
        expect(",");
        String value = string();
        expect(")");
        switch (function) {
            case "Label":
                return labels -> value.equals(labels.get(key));
            case "LabelRegex":
                Pattern pattern;
                try {
                    pattern = Pattern.compile(value);
                } catch (PatternSyntaxException e) {
                    throw error("invalid regexp '" + value + "': " + e.getDescription());
                }
                // Go's MatchString: the pattern may match anywhere in the value.
                return labels -> labels.containsKey(key) && pattern.matcher(labels.get(key)).find();
            default:
                throw error("unknown function '" + function + "' (known: Label, LabelRegex)");
        }
    }

    private String string() {
        skipSpace();
        if (pos >= source.length() || (source.charAt(pos) != '`' && source.charAt(pos) != '"')) {
            throw error("expected a string in backticks or double quotes");
        }
        char quote = source.charAt(pos);
        int end = source.indexOf(quote, pos + 1);
        if (end < 0) {
            throw error("unclosed string");
        }
        String value = source.substring(pos + 1, end);
        pos = end + 1;
        return value;
    }

    private boolean consume(String token) {
        skipSpace();
        if (source.startsWith(token, pos)) {
            pos += token.length();
            return true;
        }
        return false;
    }

    private void expect(String token) {
        if (!consume(token)) {
            throw error("expected '" + token + "'");
        }
    }

    private void skipSpace() {
        while (pos < source.length() && Character.isWhitespace(source.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("constraints '" + source + "': " + what + " at position " + (pos + 1));
    }
}
