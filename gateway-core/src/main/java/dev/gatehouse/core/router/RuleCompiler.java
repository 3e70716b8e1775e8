package dev.gatehouse.core.router;

import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;
import java.util.HashSet;
import java.util.Set;

/**
 * Turns a {@link Rule} into one {@link RequestPredicate}, resolving each call through the matchers that
 * plugins registered. Errors keep the call's position.
 */
public final class RuleCompiler {

    private final ExtensionRegistry extensions;

    public RuleCompiler(ExtensionRegistry extensions) {
        this.extensions = extensions;
    }

    /** Parses and compiles; the exception's message says where and what. */
    public RequestPredicate compile(String ruleText) throws RuleSyntaxException {
        return compile(RuleParser.parse(ruleText));
    }

    public RequestPredicate compile(Rule rule) throws RuleSyntaxException {
        if (rule instanceof Rule.Call call) {
            return call(call);
        }
        if (rule instanceof Rule.And and) {
            return new And(compile(and.left()), compile(and.right()));
        }
        if (rule instanceof Rule.Or or) {
            return new Or(compile(or.left()), compile(or.right()));
        }
        return new Not(compile(((Rule.Not) rule).operand()));
    }

    /** {@code &&} and {@code ||}: two operands and the index hints their combination allows. */
    private abstract static class Combination implements RequestPredicate {
        final RequestPredicate left;
        final RequestPredicate right;
        private final Set<String> hosts;
        private final Set<String> pathPrefixes;

        Combination(RequestPredicate left, RequestPredicate right, Set<String> hosts, Set<String> pathPrefixes) {
            this.left = left;
            this.right = right;
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
     * Both sides must match: it can match only hosts both sides allow, and its path must start with one of
     * either side's prefixes (one side's list is enough for the index).
     */
    private static final class And extends Combination {
        And(RequestPredicate left, RequestPredicate right) {
            super(left, right, intersection(left.possibleHosts(), right.possibleHosts()),
                    left.possiblePathPrefixes() != null ? left.possiblePathPrefixes() : right.possiblePathPrefixes());
        }

        @Override
        public boolean test(MatchContext request) {
            return left.test(request) && right.test(request);
        }
    }

    /** Either side may match: it is limited to hosts (or path prefixes) only when both sides are. */
    private static final class Or extends Combination {
        Or(RequestPredicate left, RequestPredicate right) {
            super(left, right, union(left.possibleHosts(), right.possibleHosts()),
                    union(left.possiblePathPrefixes(), right.possiblePathPrefixes()));
        }

        @Override
        public boolean test(MatchContext request) {
            return left.test(request) || right.test(request);
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

    /** Null means "any": the union with any is any. */
    private static Set<String> union(Set<String> a, Set<String> b) {
        if (a == null || b == null) {
            return null;
        }
        Set<String> either = new HashSet<>(a);
        either.addAll(b);
        return Set.copyOf(either);
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

    private RequestPredicate call(Rule.Call call) throws RuleSyntaxException {
        Matcher matcher = extensions.matcher(call.name());
        if (matcher == null) {
            String suggestion = extensions.names(ExtensionKind.MATCHER).stream()
                    .filter(name -> name.equalsIgnoreCase(call.name()))
                    .findFirst().map(name -> " (did you mean " + name + "?)").orElse("");
            throw new RuleSyntaxException(call.position(), "unknown matcher '" + call.name() + "'" + suggestion
                    + "; known: " + String.join(", ", extensions.names(ExtensionKind.MATCHER)));
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
}
