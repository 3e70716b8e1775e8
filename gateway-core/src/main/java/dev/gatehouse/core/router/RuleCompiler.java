package dev.gatehouse.core.router;

import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import dev.gatehouse.core.plugin.ExtensionKind;
import dev.gatehouse.core.plugin.ExtensionRegistry;

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
            RequestPredicate left = compile(and.left());
            RequestPredicate right = compile(and.right());
            return request -> left.test(request) && right.test(request);
        }
        if (rule instanceof Rule.Or or) {
            RequestPredicate left = compile(or.left());
            RequestPredicate right = compile(or.right());
            return request -> left.test(request) || right.test(request);
        }
        RequestPredicate operand = compile(((Rule.Not) rule).operand());
        return request -> !operand.test(request);
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
