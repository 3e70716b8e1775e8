package dev.gatehouse.api;

import java.util.List;

/**
 * A function of TCP router rules, such as {@code HostSNI} or {@code ClientIP}: the sibling of {@link Matcher} for
 * {@code tcp.routers}. TCP rules use the same grammar as HTTP rules ({@code &&}, {@code ||}, {@code !},
 * parentheses); their functions are looked up among the TCP matchers only, so a TCP matcher may share a name with
 * an HTTP one ({@code ClientIP}).
 *
 * <p>The gateway calls {@link #compile(List)} once per rule when the configuration loads; the predicate runs once
 * per connection, before any byte is forwarded, on a connection's thread: keep it free of blocking.
 *
 * <pre>{@code
 * @Extension
 * public final class PortMatcher implements TcpMatcher {
 *     public String name() { return "LocalPort"; }
 *     public TcpPredicate compile(List<String> args) {
 *         TcpMatcher.requireArguments(this, args, 1);
 *         int port = Integer.parseInt(args.get(0));
 *         return connection -> connection.localPort() == port;
 *     }
 * }
 * }</pre>
 */
public interface TcpMatcher extends NamedExtension {

    /**
     * Checks the arguments and returns the predicate.
     *
     * @param arguments the function's arguments, unquoted, in order
     * @return the predicate, which must be thread-safe
     * @throws IllegalArgumentException when the arguments are wrong; the message says what was expected, and the
     *     gateway adds the router and the position in the rule
     */
    TcpPredicate compile(List<String> arguments);

    /** Throws the standard error unless there are exactly {@code count} arguments. */
    static void requireArguments(TcpMatcher matcher, List<String> arguments, int count) {
        if (arguments.size() != count) {
            throw new IllegalArgumentException(matcher.name() + " expects " + count
                    + (count == 1 ? " argument" : " arguments") + ", got " + arguments.size());
        }
    }
}
