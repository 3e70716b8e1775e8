package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.gatehouse.api.regexp.RegexpLimits;

/**
 * Compiles rule regexps with Go's RE2 syntax and semantics (RE2/J): linear-time matching, no lookaround, no
 * backreferences, {@code ^}/{@code $} anchoring the whole value unless {@code (?m)} is given. Matchers search
 * the value ({@code find}), as Go's {@code MatchString} does.
 */
final class Regexps {

    private Regexps() {
    }

    /**
     * The compiled pattern, or an IllegalArgumentException saying what is wrong with it: invalid RE2 syntax, or
     * beyond the bounds every configured regexp has ({@link RegexpLimits}: as Go's regexp refuses it for Traefik).
     */
    static Pattern compile(String matcher, String regexp) {
        try {
            return RegexpLimits.compile(regexp, Pattern::compile);
        } catch (PatternSyntaxException e) {
            String description = e.getDescription();
            String hint = RegexpLimits.syntaxHint(regexp, description);
            throw new IllegalArgumentException(matcher + " regexp `" + regexp + "` is invalid: " + description
                    + (e.getPattern() == null || e.getPattern().isEmpty() ? "" : ": `" + e.getPattern() + "`") + hint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(matcher + " regexp " + e.getMessage());
        }
    }

    /** Whether the pattern matches somewhere in the value. RE2/J allocates one small matcher per call. */
    static boolean find(Pattern pattern, String value) {
        return pattern.matcher(value).find();
    }

    /** Traefik refuses non-ASCII host arguments: hosts are matched in their punycode form. */
    static void requireAscii(String matcher, String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                throw new IllegalArgumentException(matcher + " value '" + value
                        + "' has non-ASCII characters; use the punycode form (xn--...)");
            }
        }
    }
}
