package dev.gatehouse.plugins.middlewares.circuitbreaker;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The circuit breaker's conditions, as oxy's {@code cbreaker} reads them: {@code NetworkErrorRatio()},
 * {@code ResponseCodeRatio(from, to, dividendFrom, dividendTo)} and {@code LatencyAtQuantileMS(q)}, each compared
 * with a number ({@code <}, {@code <=}, {@code >}, {@code >=}, {@code ==}, {@code !=}), combined with {@code &&}
 * and {@code ||} (with Go's precedence) and parentheses. The metric is always on the left, as oxy requires.
 */
final class Expression {

    private final String text;
    private final List<String> tokens;
    private int position;

    private Expression(String text) {
        this.text = text;
        this.tokens = tokenize(text);
    }

    /**
     * @throws IllegalArgumentException saying what is wrong, and where
     */
    static Predicate<Metrics> parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("'expression' is required");
        }
        Expression parser = new Expression(text);
        Predicate<Metrics> predicate = parser.or();
        if (parser.position < parser.tokens.size()) {
            throw parser.error("unexpected '" + parser.tokens.get(parser.position) + "'");
        }
        return predicate;
    }

    private Predicate<Metrics> or() {
        Predicate<Metrics> left = and();
        while (accept("||")) {
            Predicate<Metrics> first = left;
            Predicate<Metrics> second = and();
            left = metrics -> first.test(metrics) || second.test(metrics);
        }
        return left;
    }

    private Predicate<Metrics> and() {
        Predicate<Metrics> left = comparison();
        while (accept("&&")) {
            Predicate<Metrics> first = left;
            Predicate<Metrics> second = comparison();
            left = metrics -> first.test(metrics) && second.test(metrics);
        }
        return left;
    }

    private Predicate<Metrics> comparison() {
        if (accept("(")) {
            Predicate<Metrics> inner = or();
            expect(")");
            return inner;
        }
        ToDoubleFunction<Metrics> metric = metric();
        String operator = next("a comparison operator");
        double value = number();
        return switch (operator) {
            case "<" -> m -> metric.applyAsDouble(m) < value;
            case "<=" -> m -> metric.applyAsDouble(m) <= value;
            case ">" -> m -> metric.applyAsDouble(m) > value;
            case ">=" -> m -> metric.applyAsDouble(m) >= value;
            case "==" -> m -> metric.applyAsDouble(m) == value;
            case "!=" -> m -> metric.applyAsDouble(m) != value;
            default -> throw error("expected a comparison operator (<, <=, >, >=, ==, !=), got '" + operator + "'");
        };
    }

    private ToDoubleFunction<Metrics> metric() {
        String name = next("a metric");
        expect("(");
        List<Double> arguments = new ArrayList<>();
        if (!accept(")")) {
            do {
                arguments.add(number());
            } while (accept(","));
            expect(")");
        }
        switch (name) {
            case "NetworkErrorRatio" -> {
                arity(name, arguments, 0);
                return Metrics::networkErrorRatio;
            }
            case "ResponseCodeRatio" -> {
                arity(name, arguments, 4);
                int from = (int) (double) arguments.get(0);
                int to = (int) (double) arguments.get(1);
                int dividendFrom = (int) (double) arguments.get(2);
                int dividendTo = (int) (double) arguments.get(3);
                return m -> m.responseCodeRatio(from, to, dividendFrom, dividendTo);
            }
            case "LatencyAtQuantileMS" -> {
                arity(name, arguments, 1);
                double quantile = arguments.get(0);
                if (quantile <= 0 || quantile > 100) {
                    throw error("LatencyAtQuantileMS takes a quantile above 0 and at most 100, got " + quantile);
                }
                return m -> m.latencyAtQuantileMillis(quantile);
            }
            default -> throw error("unknown function '" + name
                    + "' (known: NetworkErrorRatio, ResponseCodeRatio, LatencyAtQuantileMS)");
        }
    }

    private void arity(String name, List<Double> arguments, int expected) {
        if (arguments.size() != expected) {
            throw error(name + " takes " + expected + " argument" + (expected == 1 ? "" : "s") + ", got " + arguments.size());
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
        return new IllegalArgumentException("'expression' " + text + ": " + message);
    }

    private static List<String> tokenize(String text) {
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
            } else if (text.startsWith("&&", i) || text.startsWith("||", i) || text.startsWith("<=", i)
                    || text.startsWith(">=", i) || text.startsWith("==", i) || text.startsWith("!=", i)) {
                tokens.add(text.substring(i, i + 2));
                i += 2;
            } else if ("()<>,".indexOf(c) >= 0) {
                tokens.add(String.valueOf(c));
                i++;
            } else {
                throw new IllegalArgumentException("'expression' " + text + ": unexpected '" + c + "' at position " + (i + 1));
            }
        }
        return tokens;
    }
}
