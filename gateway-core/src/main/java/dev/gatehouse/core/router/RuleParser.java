package dev.gatehouse.core.router;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses Traefik v3's rule language into a {@link Rule} tree.
 *
 * <pre>
 * rule    := or
 * or      := and ( "||" and )*
 * and     := unary ( "&amp;&amp;" unary )*          // &amp;&amp; binds tighter than ||, as in Go
 * unary   := "!" unary | "(" or ")" | call
 * call    := NAME "(" [ string ( "," string )* ] ")"
 * string  := `...` | "..."                 // backticks: raw; quotes: Go's escapes (\" \\ \n \x41 \u00e9...)
 * </pre>
 * Parsing happens once per configuration; errors carry the position and what was expected.
 */
public final class RuleParser {

    /** Deeper nesting than any real rule has; the limit keeps hostile input from exhausting the stack. */
    static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;
    private int depth;

    private RuleParser(String text) {
        this.text = text;
    }

    public static Rule parse(String rule) throws RuleSyntaxException {
        if (rule == null || rule.isBlank()) {
            throw new RuleSyntaxException(0, "the rule is empty");
        }
        RuleParser parser = new RuleParser(rule);
        Rule result = parser.or();
        parser.skipSpaces();
        if (parser.pos < rule.length()) {
            throw new RuleSyntaxException(parser.pos, "expected '&&', '||' or the end of the rule, found "
                    + parser.describeHere());
        }
        return result;
    }

    /** {@code a || b || c}: one node with every operand (a chain of any length costs no recursion). */
    private Rule or() throws RuleSyntaxException {
        Rule first = and();
        if (!consume("||")) {
            return first;
        }
        List<Rule> operands = new ArrayList<>();
        operands.add(first);
        do {
            operands.add(and());
        } while (consume("||"));
        return new Rule.Or(operands);
    }

    private Rule and() throws RuleSyntaxException {
        Rule first = unary();
        if (!consume("&&")) {
            return first;
        }
        List<Rule> operands = new ArrayList<>();
        operands.add(first);
        do {
            operands.add(unary());
        } while (consume("&&"));
        return new Rule.And(operands);
    }

    private Rule unary() throws RuleSyntaxException {
        skipSpaces();
        if (++depth > MAX_DEPTH) {
            throw new RuleSyntaxException(pos, "the rule nests '(' and '!' more than " + MAX_DEPTH + " levels deep");
        }
        try {
            if (consume("!")) {
                return new Rule.Not(unary());
            }
            if (consume("(")) {
                Rule inner = or();
                expect(")", "')' to close the '('");
                return inner;
            }
            return call();
        } finally {
            depth--;
        }
    }

    private Rule call() throws RuleSyntaxException {
        skipSpaces();
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (start == pos) {
            throw new RuleSyntaxException(pos, "expected a matcher such as Host(`example.com`), '!' or '(', found "
                    + describeHere());
        }
        String name = text.substring(start, pos);
        expect("(", "'(' after " + name);
        List<String> arguments = new ArrayList<>();
        skipSpaces();
        if (!consume(")")) {
            do {
                arguments.add(string());
            } while (consume(","));
            expect(")", "',' or ')' in the arguments of " + name);
        }
        return new Rule.Call(name, arguments, start);
    }

    private String string() throws RuleSyntaxException {
        skipSpaces();
        if (pos >= text.length()) {
            throw new RuleSyntaxException(pos, "expected an argument in `backticks` or \"quotes\", found the end of the rule");
        }
        char quote = text.charAt(pos);
        if (quote != '`' && quote != '"') {
            throw new RuleSyntaxException(pos, "expected an argument in `backticks` or \"quotes\", found " + describeHere());
        }
        int start = pos++;
        StringBuilder value = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return value.toString();
            }
            if (c == '\\' && quote == '"' && pos < text.length()) {
                escape(value);
                continue;
            }
            if (c == '\n' && quote == '"') {
                throw new RuleSyntaxException(pos - 1, "a line break inside \"quotes\"; use `backticks`");
            }
            value.append(c);
        }
        throw new RuleSyntaxException(start, "the argument starting here is not closed with " + quote);
    }

    /**
     * One escape of a Go interpreted string literal, as Traefik reads "..." arguments: an unknown escape such as
     * {@code \d} is an error there, not the letter d (write {@code \\d}, or use backticks for regexps).
     */
    private void escape(StringBuilder value) throws RuleSyntaxException {
        int start = pos - 1;
        char next = text.charAt(pos++);
        switch (next) {
            case 'a' -> value.append('\u0007');
            case 'b' -> value.append('\b');
            case 'f' -> value.append('\f');
            case 'n' -> value.append('\n');
            case 'r' -> value.append('\r');
            case 't' -> value.append('\t');
            case 'v' -> value.append('\u000B');
            case '\\', '"' -> value.append(next);
            case 'x' -> value.append((char) hex(start, 2));
            case 'u' -> value.appendCodePoint(hex(start, 4));
            case 'U' -> value.appendCodePoint(hex(start, 8));
            default -> {
                if (next >= '0' && next <= '7' && pos + 1 < text.length()) {
                    String octal = text.substring(pos - 1, pos + 2);
                    if (octal.chars().allMatch(d -> d >= '0' && d <= '7') && Integer.parseInt(octal, 8) <= 255) {
                        pos += 2;
                        value.append((char) Integer.parseInt(octal, 8));
                        return;
                    }
                }
                throw new RuleSyntaxException(start, "unknown escape \\" + next + " inside \"quotes\"; write \\\\"
                        + next + " or use `backticks`, where backslashes are plain");
            }
        }
    }

    private int hex(int start, int digits) throws RuleSyntaxException {
        if (pos + digits > text.length()) {
            throw new RuleSyntaxException(start, "the escape needs " + digits + " hex digits");
        }
        String hex = text.substring(pos, pos + digits);
        if (!hex.chars().allMatch(d -> Character.digit(d, 16) >= 0)) {
            throw new RuleSyntaxException(start, "the escape needs " + digits + " hex digits, found '" + hex + "'");
        }
        pos += digits;
        int value = Integer.parseInt(hex, 16);
        if (!Character.isValidCodePoint(value) || value >= 0xD800 && value <= 0xDFFF) {
            throw new RuleSyntaxException(start, "the escape is not a valid Unicode character");
        }
        return value;
    }

    private void expect(String token, String what) throws RuleSyntaxException {
        if (!consume(token)) {
            throw new RuleSyntaxException(pos, "expected " + what + ", found " + describeHere());
        }
    }

    private boolean consume(String token) {
        skipSpaces();
        if (text.startsWith(token, pos)) {
            pos += token.length();
            return true;
        }
        return false;
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private String describeHere() {
        if (pos >= text.length()) {
            return "the end of the rule";
        }
        int end = Math.min(text.length(), pos + 12);
        return "'" + text.substring(pos, end) + (end < text.length() ? "...'" : "'");
    }
}
