package dev.gatehouse.plugins.docker;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.gatehouse.api.regexp.RegexpLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Traefik's constraint expressions over a container's labels: {@code Label(`key`,`value`)},
 * {@code LabelRegex(`key`,`regexp`)}, {@code !}, {@code &&}, {@code ||} and parentheses, e.g.
 * {@code Label(`team`,`blue`) && !Label(`env`,`test`)}. Parsed once, when the provider starts.
 *
 * <p>{@code LabelRegex} takes Go's RE2 syntax and semantics (RE2/J, linear-time, within {@link RegexpLimits}), as
 * Traefik's Go regexp does. Chains of {@code &&} and {@code ||} are read in a loop, whatever their length; '!' and
 * parentheses may nest {@value #MAX_DEPTH} levels deep.
 */
final class Constraints {

    private static final Predicate<Map<String, String>> ALWAYS = labels -> true;

    /** Deeper nesting than any real expression has; the limit keeps hostile input from exhausting the stack. */
    static final int MAX_DEPTH = 64;

    private final String source;
    private int pos;
    private int depth;

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
        List<Predicate<Map<String, String>>> operands = new ArrayList<>();
        operands.add(and());
        while (consume("||")) {
            operands.add(and());
        }
        if (operands.size() == 1) {
            return operands.get(0);
        }
        // One flat list, tested in order: a long chain costs no stack, neither here nor when it is tested.
        List<Predicate<Map<String, String>>> any = List.copyOf(operands);
        return labels -> {
            for (Predicate<Map<String, String>> operand : any) {
                if (operand.test(labels)) {
                    return true;
                }
            }
            return false;
        };
    }

    private Predicate<Map<String, String>> and() {
        List<Predicate<Map<String, String>>> operands = new ArrayList<>();
        operands.add(unary());
        while (consume("&&")) {
            operands.add(unary());
        }
        if (operands.size() == 1) {
            return operands.get(0);
        }
        List<Predicate<Map<String, String>>> all = List.copyOf(operands);
        return labels -> {
            for (Predicate<Map<String, String>> operand : all) {
                if (!operand.test(labels)) {
                    return false;
                }
            }
            return true;
        };
    }

    private Predicate<Map<String, String>> unary() {
        if (++depth > MAX_DEPTH) {
            throw error("'!' and '(' nest more than " + MAX_DEPTH + " levels deep");
        }
        try {
            return operand();
        } finally {
            depth--;
        }
    }

    private Predicate<Map<String, String>> operand() {
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
                    pattern = RegexpLimits.compile(value, Pattern::compile);
                } catch (PatternSyntaxException e) {
                    throw error("invalid regexp '" + value + "': " + e.getDescription()
                            + RegexpLimits.syntaxHint(value, e.getDescription()));
                } catch (IllegalArgumentException e) {
                    throw error("LabelRegex regexp " + e.getMessage());
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
