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

    /**
     * Both sides must match, so the hosts it can match are those both sides allow; its path must start with
     * one of either side's prefixes, and one side's list is enough for the index.
     */
    private static final class And implements RequestPredicate {
        private final RequestPredicate left;
        private final RequestPredicate right;
        private final Set<String> hosts;
        private final Set<String> pathPrefixes;

        And(RequestPredicate left, RequestPredicate right) {
            this.left = left;
            this.right = right;
            Set<String> l = left.possibleHosts();
            Set<String> r = right.possibleHosts();
            if (l == null || r == null) {
                hosts = l == null ? r : l;
            } else {
                Set<String> both = new HashSet<>(l);
                both.retainAll(r);
                hosts = Set.copyOf(both);
            }
            Set<String> lp = left.possiblePathPrefixes();
            pathPrefixes = lp != null ? lp : right.possiblePathPrefixes();
        }

        @Override
        public boolean test(MatchContext request) {
            return left.test(request) && right.test(request);
        }

        @Override
        public Set<String> possibleHosts() {
            return hosts;
        }

        @Override
        public Set<String> possiblePathPrefixes() {
            return pathPrefixes;
        }
    }

    /** Either side may match, so it is limited to hosts (or path prefixes) only when both sides are. */
    private static final class Or implements RequestPredicate {
        private final RequestPredicate left;
        private final RequestPredicate right;
        private final Set<String> hosts;
        private final Set<String> pathPrefixes;

        Or(RequestPredicate left, RequestPredicate right) {
            this.left = left;
            this.right = right;
            Set<String> l = left.possibleHosts();
            Set<String> r = right.possibleHosts();
            if (l == null || r == null) {
                hosts = null;
            } else {
                Set<String> either = new HashSet<>(l);
                either.addAll(r);
                hosts = Set.copyOf(either);
            }
            Set<String> lp = left.possiblePathPrefixes();
            Set<String> rp = right.possiblePathPrefixes();
            if (lp == null || rp == null) {
                pathPrefixes = null;
            } else {
                Set<String> either = new HashSet<>(lp);
                either.addAll(rp);
                pathPrefixes = Set.copyOf(either);
            }
        }

        @Override
        public boolean test(MatchContext request) {
            return left.test(request) || right.test(request);
        }

        @Override
        public Set<String> possibleHosts() {
            return hosts;
        }

        @Override
        public Set<String> possiblePathPrefixes() {
            return pathPrefixes;
        }
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
