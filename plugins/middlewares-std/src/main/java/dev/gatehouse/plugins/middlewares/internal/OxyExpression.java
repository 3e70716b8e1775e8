package dev.gatehouse.plugins.middlewares.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The condition language of Traefik's oxy-based middlewares (vulcand/predicate), for the circuit breaker's
 * {@code expression} and buffering's {@code retryExpression}: function calls with number arguments, each either a
 * condition itself ({@code IsNetworkError()}) or compared with a literal ({@code ResponseCode() >= 500},
 * {@code RequestMethod() == "GET"}; the function always on the left, as oxy requires), combined with {@code &&} and
 * {@code ||} (with Go's precedence) and parentheses.
 *
 * @param <C> what a condition is tested on
 */
public final class OxyExpression<C> {

    /**
     * A function of the language.
     *
     * @param arity how many number arguments it takes
     * @param build from the arguments, a {@code Predicate<C>} (a condition), a {@code ToDoubleFunction<C>} (a
     *     number to compare) or a {@code Function<C, String>} (a text to compare with == or !=); it may throw
     *     IllegalArgumentException for arguments out of range
     */
    public record Fn<C>(int arity, Function<List<Double>, Object> build) {
    }

    private final String option;
    private final String text;
    private final Map<String, Fn<C>> functions;
    private final List<String> tokens;
    private int position;

    private OxyExpression(String option, String text, Map<String, Fn<C>> functions) {
        this.option = option;
        this.text = text;
        this.functions = functions;
        this.tokens = tokenize(option, text);
    }

    /**
     * @param option the option's name, for messages ({@code expression})
     * @throws IllegalArgumentException naming the option and saying what is wrong, and where
     */
    public static <C> Predicate<C> parse(String option, String text, Map<String, Fn<C>> functions) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("'" + option + "' is required");
        }
        OxyExpression<C> parser = new OxyExpression<>(option, text, functions);
        Predicate<C> predicate = parser.or();
        if (parser.position < parser.tokens.size()) {
            throw parser.error("unexpected '" + parser.tokens.get(parser.position) + "'");
        }
        return predicate;
    }

    private Predicate<C> or() {
        Predicate<C> left = and();
        while (accept("||")) {
            Predicate<C> first = left;
            Predicate<C> second = and();
            left = c -> first.test(c) || second.test(c);
        }
        return left;
    }

    private Predicate<C> and() {
        Predicate<C> left = condition();
        while (accept("&&")) {
            Predicate<C> first = left;
            Predicate<C> second = condition();
            left = c -> first.test(c) && second.test(c);
        }
        return left;
    }

    @SuppressWarnings("unchecked")
    private Predicate<C> condition() {
        if (accept("(")) {
            Predicate<C> inner = or();
            expect(")");
            return inner;
        }
        Object function = call();
        if (function instanceof Predicate<?> predicate) {
            return (Predicate<C>) predicate;
        }
        String operator = next("a comparison operator");
        if (function instanceof ToDoubleFunction<?> numeric) {
            ToDoubleFunction<C> value = (ToDoubleFunction<C>) numeric;
            double literal = number();
            return switch (operator) {
                case "<" -> c -> value.applyAsDouble(c) < literal;
                case "<=" -> c -> value.applyAsDouble(c) <= literal;
                case ">" -> c -> value.applyAsDouble(c) > literal;
                case ">=" -> c -> value.applyAsDouble(c) >= literal;
                case "==" -> c -> value.applyAsDouble(c) == literal;
                case "!=" -> c -> value.applyAsDouble(c) != literal;
                default -> throw error("expected a comparison operator (<, <=, >, >=, ==, !=), got '" + operator + "'");
            };
        }
        Function<C, String> textual = (Function<C, String>) function;
        String literal = string();
        return switch (operator) {
            case "==" -> c -> literal.equals(textual.apply(c));
            case "!=" -> c -> !literal.equals(textual.apply(c));
            default -> throw error("a text is compared with == or !=, not '" + operator + "'");
        };
    }

    private Object call() {
        String name = next("a function");
        if (!Character.isLetter(name.charAt(0)) && name.charAt(0) != '_') {
            throw error("expected a function, got '" + name + "' (the function goes on the left of a comparison)");
        }
        Fn<C> function = functions.get(name);
        if (function == null) {
            throw error("unknown function '" + name + "' (known: " + String.join(", ", new TreeSet<>(functions.keySet()))
                    + ")");
        }
        expect("(");
        List<Double> arguments = new ArrayList<>();
        if (!accept(")")) {
            do {
                arguments.add(number());
            } while (accept(","));
            expect(")");
        }
        if (arguments.size() != function.arity()) {
            throw error(name + " takes " + function.arity() + " argument" + (function.arity() == 1 ? "" : "s") + ", got "
                    + arguments.size());
        }
        try {
            return function.build().apply(arguments);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private double number() {
        String token = next("a number");
        try {
            return Double.parseDouble(token);
        } catch (NumberFormatException e) {
            throw error("expected a number, got '" + token + "'");
        }
    }

    private String string() {
        String token = next("a quoted text");
        if (token.length() < 2 || (token.charAt(0) != '"' && token.charAt(0) != '`')) {
            throw error("expected a quoted text (\"GET\"), got '" + token + "'");
        }
        return token.substring(1, token.length() - 1);
    }

    private boolean accept(String token) {
        if (position < tokens.size() && tokens.get(position).equals(token)) {
            position++;
            return true;
        }
        return false;
    }

    private void expect(String token) {
        if (!accept(token)) {
            throw error("expected '" + token + "'" + (position < tokens.size() ? ", got '" + tokens.get(position) + "'" : " at the end"));
        }
    }

    private String next(String what) {
        if (position >= tokens.size()) {
            throw error("expected " + what + " at the end");
        }
        return tokens.get(position++);
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException("'" + option + "' " + text + ": " + message);
    }

    private static List<String> tokenize(String option, String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
                tokens.add(text.substring(start, i));
            } else if (Character.isDigit(c) || c == '.' || (c == '-' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)))) {
                int start = i++;
                while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.'
                        || text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
                    i++;
                }
                tokens.add(text.substring(start, i));
            } else if (c == '"' || c == '`') {
                int end = text.indexOf(c, i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("'" + option + "' " + text + ": the text at position " + (i + 1)
                            + " has no closing " + c);
                }
                tokens.add(text.substring(i, end + 1));
                i = end + 1;
            } else if (text.startsWith("&&", i) || text.startsWith("||", i) || text.startsWith("<=", i)
                    || text.startsWith(">=", i) || text.startsWith("==", i) || text.startsWith("!=", i)) {
                tokens.add(text.substring(i, i + 2));
                i += 2;
            } else if ("()<>,".indexOf(c) >= 0) {
                tokens.add(String.valueOf(c));
                i++;
            } else {
                throw new IllegalArgumentException("'" + option + "' " + text + ": unexpected '" + c + "' at position " + (i + 1));
            }
        }
        return tokens;
    }
}
