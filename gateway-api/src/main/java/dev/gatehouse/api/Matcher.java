package dev.gatehouse.api;

import java.util.List;

/**
 * A rule function, such as {@code Host} or {@code PathPrefix}, usable in router rules.
 *
 * <p>The gateway parses a rule like {@code Host(`example.com`) && PathPrefix(`/api`)} once, when the
 * configuration loads, and calls {@link #compile(List)} for every function it contains. The returned
 * predicate runs on every request: do all parsing and checking in {@code compile}, and keep
 * {@link RequestPredicate#test} free of allocation and blocking.
 *
 * <pre>{@code
 * @Extension
 * public final class MethodMatcher implements Matcher {
 *     public String name() { return "Method"; }
 *     public RequestPredicate compile(List<String> args) {
 *         Matcher.requireArguments(this, args, 1);
 *         String method = args.get(0).toUpperCase(Locale.ROOT);
 *         return request -> method.equals(request.request().getMethod());
 *     }
 * }
 * }</pre>
 */
public interface Matcher extends NamedExtension {

    /**
     * Checks the arguments and returns the predicate.
     *
     * @param arguments the function's arguments, unquoted, in order
     * @return the predicate, which must be thread-safe
     * @throws IllegalArgumentException when the arguments are wrong; the message says what was expected
     *     ("expects 1 argument, got 2"), and the gateway adds the router and the position in the rule
     */
    RequestPredicate compile(List<String> arguments);

    /** Throws the standard error unless there are exactly {@code count} arguments. */
    static void requireArguments(Matcher matcher, List<String> arguments, int count) {
        if (arguments.size() != count) {
            throw new IllegalArgumentException(matcher.name() + " expects " + count
                    + (count == 1 ? " argument" : " arguments") + ", got " + arguments.size());
        }
    }
}
