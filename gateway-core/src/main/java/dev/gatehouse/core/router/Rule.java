package dev.gatehouse.core.router;

import java.util.List;

/**
 * A parsed rule: a tree of matcher calls joined by {@code &&}, {@code ||} and {@code !}. Kept after
 * compilation because more than routing reads it (the hosts of {@code Host} calls name a router's
 * certificate domains).
 */
public sealed interface Rule {

    /** {@code Name(`arg`, ...)}, starting at {@code position} (0-based) in the rule text. */
    record Call(String name, List<String> arguments, int position) implements Rule {
        public Call {
            arguments = List.copyOf(arguments);
        }
    }

    record And(Rule left, Rule right) implements Rule {
    }

    record Or(Rule left, Rule right) implements Rule {
    }

    record Not(Rule operand) implements Rule {
    }
}
