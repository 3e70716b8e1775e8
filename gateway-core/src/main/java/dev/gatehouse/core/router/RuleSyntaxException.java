package dev.gatehouse.core.router;

/**
 * A rule that cannot be used, with the position (0-based) in the rule text where the problem is.
 */
public final class RuleSyntaxException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int position;
    private final String reason;

    public RuleSyntaxException(int position, String reason) {
        super("at position " + (position + 1) + ": " + reason);
        this.position = position;
        this.reason = reason;
    }

    /** 0-based offset into the rule text. */
    public int position() {
        return position;
    }

    public String reason() {
        return reason;
    }
}
