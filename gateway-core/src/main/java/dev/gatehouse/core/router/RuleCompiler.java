package dev.gatehouse.core.router;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a {@link Rule} into one {@link RequestPredicate}, resolving each call through the matchers that
 * plugins registered. Errors keep the call's position.
 */
public final class RuleCompiler {

    /**
     * Matchers of Traefik's v2 rule syntax ({@code ruleSyntax: v2}) are registered under this prefix
     * ({@code v2:Host}): the same function names as v3 with other arguments, so a separate set.
     */
    public static final String V2_PREFIX = "v2:";

    private final ExtensionRegistry extensions;
    /** Empty for the v3 syntax, {@link #V2_PREFIX} for v2: put before a function name to find its matcher. */
    private final String syntaxPrefix;

    public RuleCompiler(ExtensionRegistry extensions) {
        this(extensions, "");
    }

    private RuleCompiler(ExtensionRegistry extensions, String syntaxPrefix) {
        this.extensions = extensions;
        this.syntaxPrefix = syntaxPrefix;
    }

    /** The compiler of rules written in Traefik v2's syntax. */
    public RuleCompiler v2() {
        return new RuleCompiler(extensions, V2_PREFIX);
    }

    /** Parses and compiles; the exception's message says where and what. */
    public RequestPredicate compile(String ruleText) throws RuleSyntaxException {
        return compile(RuleParser.parse(ruleText));
    }

    /**
     * Compiles the tree. Recursion follows only the nesting of parentheses and {@code !} (bounded by the
     * parser); the operands of a chain are compiled in a loop.
     */
    public RequestPredicate compile(Rule rule) throws RuleSyntaxException {
        if (rule instanceof Rule.Call call) {
            return call(call);
        }
        if (rule instanceof Rule.And and) {
            return new And(compileAll(and.operands()));
        }
        if (rule instanceof Rule.Or or) {
            return new Or(compileAll(or.operands()));
        }
        return new Not(compile(((Rule.Not) rule).operand()));
    }

    private RequestPredicate[] compileAll(List<Rule> operands) throws RuleSyntaxException {
        RequestPredicate[] compiled = new RequestPredicate[operands.size()];
        for (int i = 0; i < compiled.length; i++) {
            compiled[i] = compile(operands.get(i));
        }
        return compiled;
    }

    /** {@code &&} and {@code ||}: the operands, in the rule's order, and the index hints their combination allows. */
    private abstract static class Combination implements RequestPredicate {
        final RequestPredicate[] operands;
        private final Set<String> hosts;
        private final Set<String> pathPrefixes;

        Combination(RequestPredicate[] operands, Set<String> hosts, Set<String> pathPrefixes) {
            this.operands = operands;
            this.hosts = hosts;
            this.pathPrefixes = pathPrefixes;
        }

        @Override
        public final Set<String> possibleHosts() {
            return hosts;
        }

        @Override
        public final Set<String> possiblePathPrefixes() {
            return pathPrefixes;
        }
    }

    /**
     * Every operand must match: it can match only hosts all operands allow, and its path must start with one of
     * the prefixes of an operand that has some (the first one's list is enough for the index).
     */
    private static final class And extends Combination {
        And(RequestPredicate[] operands) {
            super(operands, hosts(operands), firstPrefixes(operands));
        }

        private static Set<String> hosts(RequestPredicate[] operands) {
            Set<String> hosts = null;
            for (RequestPredicate operand : operands) {
                hosts = intersection(hosts, operand.possibleHosts());
            }
            return hosts;
        }

        private static Set<String> firstPrefixes(RequestPredicate[] operands) {
            for (RequestPredicate operand : operands) {
                if (operand.possiblePathPrefixes() != null) {
                    return operand.possiblePathPrefixes();
                }
            }
            return null;
        }

        @Override
        public boolean test(MatchContext request) {
            for (RequestPredicate operand : operands) {
                if (!operand.test(request)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One operand must match: it is limited to hosts (or path prefixes) only when every operand is. */
    private static final class Or extends Combination {
        Or(RequestPredicate[] operands) {
            super(operands, union(operands, RequestPredicate::possibleHosts),
                    union(operands, RequestPredicate::possiblePathPrefixes));
        }

        /** Null ("any") as soon as one operand allows any. */
        private static Set<String> union(RequestPredicate[] operands, Function<RequestPredicate, Set<String>> hint) {
            Set<String> either = new HashSet<>();
            for (RequestPredicate operand : operands) {
                Set<String> values = hint.apply(operand);
                if (values == null) {
                    return null;
                }
                either.addAll(values);
            }
            return Set.copyOf(either);
        }

        @Override
        public boolean test(MatchContext request) {
            for (RequestPredicate operand : operands) {
                if (operand.test(request)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Null means "any": the intersection with any is the other side. */
    private static Set<String> intersection(Set<String> a, Set<String> b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        return Set.copyOf(both);
    }

    /** A negation can match any host and any path. */
    private static final class Not implements RequestPredicate {
        private final RequestPredicate operand;

        Not(RequestPredicate operand) {
            this.operand = operand;
        }

        @Override
        public boolean test(MatchContext request) {
            return !operand.test(request);
        }
    }

    /**
     * The matcher registered as {@code name}, or under a name of which {@code name} is one of the spellings
     * Traefik's rule parser also accepts: all lower case, all upper case, or capitalised ({@code host},
     * {@code HOST}, {@code Pathprefix} for {@code PathPrefix}). Other mixes ({@code pathPrefix}) are unknown to
     * Traefik too.
     */
    private Matcher matcher(String name) {
        Matcher exact = extensions.matcher(name);
        if (exact != null) {
            return exact;
        }
        for (String registered : extensions.names(ExtensionKind.MATCHER)) {
            String lower = registered.toLowerCase(Locale.ROOT);
            if (name.equals(lower) || name.equals(registered.toUpperCase(Locale.ROOT))
                    || name.equals(capitalised(lower))) {
                return extensions.matcher(registered);
            }
        }
        return null;
    }

    /** What Go's {@code strings.Title} makes of a matcher name (a word without separators). */
    private static String capitalised(String lower) {
        return lower.isEmpty() ? lower : lower.substring(0, 1).toUpperCase(Locale.ROOT) + lower.substring(1);
    }

    private RequestPredicate call(Rule.Call call) throws RuleSyntaxException {
        if (!syntaxPrefix.isEmpty()) {
            return callV2(call);
        }
        Matcher matcher = matcher(call.name());
        if (matcher == null) {
            String suggestion = extensions.names(ExtensionKind.MATCHER).stream()
                    .filter(name -> name.equalsIgnoreCase(call.name()))
                    .findFirst().map(name -> " (did you mean " + name + "?)").orElse("");
            throw new RuleSyntaxException(call.position(), "unknown matcher '" + call.name() + "'" + suggestion
                    + "; known: " + String.join(", ", syntaxNames("")));
        }
        // As Traefik's rules.CheckRule, for every matcher: at least one argument, and none empty.
        if (call.arguments().isEmpty()) {
            throw new RuleSyntaxException(call.position(), call.name() + ": no argument; a matcher takes at least one");
        }
        if (call.arguments().stream().anyMatch(String::isEmpty)) {
            throw new RuleSyntaxException(call.position(), call.name() + ": an argument is empty; every argument of "
                    + "a matcher needs a value");
        }
        try {
            RequestPredicate predicate = matcher.compile(call.arguments());
            if (predicate == null) {
                throw new RuleSyntaxException(call.position(), "matcher " + call.name() + " returned no predicate");
            }
            return predicate;
        } catch (IllegalArgumentException e) {
            throw new RuleSyntaxException(call.position(), call.name() + ": " + e.getMessage());
        }
    }

    /** A call in the v2 syntax: its matcher is the one registered as {@code v2:<name>}. */
    private RequestPredicate callV2(Rule.Call call) throws RuleSyntaxException {
        Matcher matcher = extensions.matcher(syntaxPrefix + call.name());
        if (matcher == null) {
            throw new RuleSyntaxException(call.position(), "unknown matcher '" + call.name() + "' in the v2 rule syntax"
                    + " (ruleSyntax: v2); known: " + String.join(", ", syntaxNames(syntaxPrefix))
                    + "; or write the rule in the v3 syntax and remove ruleSyntax");
        }
        try {
            RequestPredicate predicate = matcher.compile(call.arguments());
            if (predicate == null) {
                throw new RuleSyntaxException(call.position(), "matcher " + call.name() + " returned no predicate");
            }
            return predicate;
        } catch (IllegalArgumentException e) {
            throw new RuleSyntaxException(call.position(), call.name() + ": " + e.getMessage());
        }
    }

    /** The function names of one syntax: v3 names have no prefix, v2 names are listed without theirs. */
    private List<String> syntaxNames(String prefix) {
        List<String> names = new java.util.ArrayList<>();
        for (String name : extensions.names(ExtensionKind.MATCHER)) {
            if (prefix.isEmpty() ? !name.startsWith(V2_PREFIX) : name.startsWith(prefix)) {
                names.add(name.substring(prefix.length()));
            }
        }
        return names;
    }
}
