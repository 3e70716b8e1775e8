package dev.gatehouse.plugins.middlewares.circuitbreaker;

import dev.gatehouse.plugins.middlewares.internal.OxyExpression;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The circuit breaker's conditions, as oxy's {@code cbreaker} reads them: {@code NetworkErrorRatio()},
 * {@code ResponseCodeRatio(from, to, dividendFrom, dividendTo)} and {@code LatencyAtQuantileMS(q)}, each compared
 * with a number, in the language of {@link OxyExpression}.
 */
final class Expression {

    private static final Map<String, OxyExpression.Fn<Metrics>> FUNCTIONS = Map.of(
            "NetworkErrorRatio", new OxyExpression.Fn<>(0,
                    arguments -> (ToDoubleFunction<Metrics>) Metrics::networkErrorRatio),
            "ResponseCodeRatio", new OxyExpression.Fn<>(4, arguments -> {
                int from = (int) (double) arguments.get(0);
                int to = (int) (double) arguments.get(1);
                int dividendFrom = (int) (double) arguments.get(2);
                int dividendTo = (int) (double) arguments.get(3);
                return (ToDoubleFunction<Metrics>) m -> m.responseCodeRatio(from, to, dividendFrom, dividendTo);
            }),
            "LatencyAtQuantileMS", new OxyExpression.Fn<>(1, arguments -> {
                double quantile = arguments.get(0);
                if (quantile <= 0 || quantile > 100) {
                    throw new IllegalArgumentException("LatencyAtQuantileMS takes a quantile above 0 and at most 100, got "
                            + quantile);
                }
                return (ToDoubleFunction<Metrics>) m -> m.latencyAtQuantileMillis(quantile);
            }));

    private Expression() {
    }

    /**
     * @throws IllegalArgumentException saying what is wrong, and where
     */
    static Predicate<Metrics> parse(String text) {
        return OxyExpression.parse("expression", text, FUNCTIONS);
    }
}
