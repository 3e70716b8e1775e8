package dev.gatehouse.core.tcp;

import dev.gatehouse.api.TcpMatcher;
import dev.gatehouse.api.TcpPredicate;
import dev.gatehouse.core.router.Rule;
import dev.gatehouse.core.router.RuleParser;
import dev.gatehouse.core.router.RuleSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The rules of TCP routers: TCP matchers from plugins ({@link TcpMatcher}; the bundled {@code matchers-http}
 * plugin has Traefik's {@code HostSNI}, {@code HostSNIRegexp}, {@code ClientIP} and {@code ALPN}), combined with
 * {@code &&}, {@code ||}, {@code !} and parentheses. The text is read by the same {@link RuleParser} as HTTP
 * rules, so both have one grammar and the same syntax errors. What the gateway itself needs to know of a rule (its
 * {@code HostSNI} names, for certificates, and whether it is the catch-all {@code HostSNI(`*`)}) is read from the
 * parsed rule, not from the matchers.
 */
public final class TcpRules {

    private final Function<String, TcpMatcher> matchers;
    private final Set<String> known;

    /**
     * @param matchers the TCP matcher of a function name, or null
     * @param known the names of every TCP matcher, for the error on an unknown one
     */
    public TcpRules(Function<String, TcpMatcher> matchers, Set<String> known) {
        this.matchers = matchers;
        this.known = new TreeSet<>(known);
    }

    /** A compiled rule: what it matches, and what the router's set-up needs to know of it. */
    public record Compiled(Predicate<TcpMatch> predicate, List<String> hostSniNames, boolean catchAll) {
    }

    /** Parses and compiles; the exception's message says where and what. */
    public Compiled compile(String text) throws RuleSyntaxException {
        Rule rule = RuleParser.parse(text);
        List<String> names = new ArrayList<>();
        Predicate<TcpMatch> predicate = compile(rule, names);
        boolean catchAll = rule instanceof Rule.Call call && isHostSni(call)
                && call.arguments().size() == 1 && call.arguments().get(0).equals("*");
        return new Compiled(predicate, List.copyOf(names), catchAll);
    }

    /** The names of the rule's {@code HostSNI} calls, lower case, without {@code *}; empty when it cannot be read. */
    public static List<String> hostSniNames(String text) {
        try {
            List<String> names = new ArrayList<>();
            collectHostSni(RuleParser.parse(text), names);
            return names.stream().filter(name -> !name.equals("*")).toList();
        } catch (RuleSyntaxException e) {
            return List.of();
        }
    }

    private static void collectHostSni(Rule rule, List<String> names) {
        if (rule instanceof Rule.Call call) {
            if (isHostSni(call) && call.arguments().size() == 1) {
                names.add(canonical(call.arguments().get(0)));
            }
        } else if (rule instanceof Rule.Not not) {
            collectHostSni(not.operand(), names);
        } else {
            for (Rule operand : rule instanceof Rule.And and ? and.operands() : ((Rule.Or) rule).operands()) {
                collectHostSni(operand, names);
            }
        }
    }

    private static boolean isHostSni(Rule.Call call) {
        return call.name().equalsIgnoreCase("HostSNI");
    }

    private Predicate<TcpMatch> compile(Rule rule, List<String> hostSniNames) throws RuleSyntaxException {
        if (rule instanceof Rule.Call call) {
            TcpMatcher matcher = matchers.apply(call.name());
            if (matcher == null) {
                throw new RuleSyntaxException(call.position(), "unknown TCP matcher '" + call.name() + "' (known: "
                        + (known.isEmpty() ? "none: is the matchers-http plugin installed?" : String.join(", ", known))
                        + ")");
            }
            TcpPredicate predicate;
            try {
                predicate = matcher.compile(call.arguments());
            } catch (IllegalArgumentException e) {
                throw new RuleSyntaxException(call.position(), call.name() + ": " + e.getMessage());
            }
            if (predicate == null) {
                throw new RuleSyntaxException(call.position(), "TCP matcher " + call.name() + " returned no predicate");
            }
            if (isHostSni(call) && call.arguments().size() == 1) {
                hostSniNames.add(canonical(call.arguments().get(0)));
            }
            return predicate::test;
        }
        if (rule instanceof Rule.Not not) {
            return compile(not.operand(), hostSniNames).negate();
        }
        List<Rule> operands = rule instanceof Rule.And and ? and.operands() : ((Rule.Or) rule).operands();
        List<Predicate<TcpMatch>> compiled = new ArrayList<>(operands.size());
        for (Rule operand : operands) {
            compiled.add(compile(operand, hostSniNames));
        }
        @SuppressWarnings("unchecked")
        Predicate<TcpMatch>[] all = compiled.toArray(new Predicate[0]);
        if (rule instanceof Rule.And) {
            return match -> {
                for (Predicate<TcpMatch> operand : all) {
                    if (!operand.test(match)) {
                        return false;
                    }
                }
                return true;
            };
        }
        return match -> {
            for (Predicate<TcpMatch> operand : all) {
                if (operand.test(match)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static String canonical(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
