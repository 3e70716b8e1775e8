package dev.gatehouse.core.router;

import java.util.List;

/**
 * A parsed rule: a tree of matcher calls joined by {@code &&}, {@code ||} and {@code !}. Kept after
 * compilation because more than routing reads it (the hosts of {@code Host} calls name a router's
 * certificate domains).
 *
 * <p>A chain {@code a && b && c} is one node with its operands in order, not a nest of pairs: a rule of
 * ten thousand terms is a flat list, and nothing that walks the tree recurses once per term. Only
 * parentheses and {@code !} make the tree deeper, and the parser bounds them.
 */
public sealed interface Rule {

    /** {@code Name(`arg`, ...)}, starting at {@code position} (0-based) in the rule text. */
    record Call(String name, List<String> arguments, int position) implements Rule {
        public Call {
            arguments = List.copyOf(arguments);
        }
    }

    /** Every operand must match; they are tested in order, and the first that does not match ends the test. */
    record And(List<Rule> operands) implements Rule {
        public And {
            operands = List.copyOf(operands);
        }
    }

    /** One operand must match; they are tested in order, and the first that matches ends the test. */
    record Or(List<Rule> operands) implements Rule {
        public Or {
            operands = List.copyOf(operands);
        }
    }

    record Not(Rule operand) implements Rule {
    }
}
