package dev.gatehouse.core.logging;

/**
 * Text that someone else chose (a client's path, a library's message, a provider's problem) made fit for one log
 * line: control characters escaped, so nobody can forge a line, and a bounded length, so nobody can flood it.
 */
public final class LogText {

    private LogText() {
    }

    /** Control characters as {@code \n}, {@code \xNN}; cut to {@code max} characters with a count of the rest. */
    public static String escape(String message, int max) {
        if (message == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(message.length(), max) + 32);
        int i = 0;
        for (; i < message.length() && out.length() < max; i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (i < message.length()) {
            out.append("... (").append(message.length() - i).append(" more characters)");
        }
        return out.toString();
    }
}
