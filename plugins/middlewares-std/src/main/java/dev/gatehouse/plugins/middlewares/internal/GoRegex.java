package dev.gatehouse.plugins.middlewares.internal;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.gatehouse.api.regexp.RegexpLimits;
import java.util.Map;

/**
 * Go's {@code regexp} where the middlewares need it: RE2 syntax (RE2/J) and Go's replacement templates, which are
 * not Java's: {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}}, {@code $$} for a dollar; a name is the
 * longest run of letters, digits and underscores ({@code $1x} is the group named {@code 1x}); a group that does not
 * exist or did not take part in the match expands to nothing; a malformed {@code $} stays as it is.
 */
public final class GoRegex {

    private GoRegex() {
    }

    /**
     * Compiles {@code regex}, or throws IllegalArgumentException naming the option and the problem: invalid RE2
     * syntax, or beyond the bounds every configured regexp has ({@link RegexpLimits}, as Go's regexp for Traefik).
     */
    public static Pattern compile(String option, String regex) {
        try {
            return RegexpLimits.compile(regex, Pattern::compile);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(option + " `" + regex + "` is not a valid RE2 regular expression: "
                    + e.getDescription() + RegexpLimits.syntaxHint(regex, e.getDescription()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage());
        }
    }

    /** Go's {@code ReplaceAllString}: every match replaced by the expanded template; empty matches right after a match are skipped. */
    public static String replaceAll(Pattern pattern, String input, String template) {
        Matcher m = pattern.matcher(input);
        StringBuilder out = null;
        int copied = 0;
        int lastEnd = -1;
        Map<String, Integer> named = null;
        int searchFrom = 0;
        while (searchFrom <= input.length() && m.find(searchFrom)) {
            int start = m.start();
            int end = m.end();
            if (start == end && start == lastEnd) {
                // Go ignores an empty match abutting the previous match.
                searchFrom = start + 1;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(input.length() + template.length());
                named = pattern.namedGroups();
            }
            out.append(input, copied, start);
            expand(out, template, m, named);
            copied = end;
            lastEnd = end;
            searchFrom = end == start ? end + 1 : end;
        }
        if (out == null) {
            return input;
        }
        out.append(input, copied, input.length());
        return out.toString();
    }

    /** Appends {@code template} with its {@code $} references to the current match of {@code m}. */
    public static void expand(StringBuilder out, String template, Matcher m, Map<String, Integer> named) {
        int n = template.length();
        int i = 0;
        while (i < n) {
            char c = template.charAt(i);
            if (c != '$' || i + 1 >= n) {
                out.append(c);
                i++;
                continue;
            }
            char next = template.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            String name;
            int after;
            if (next == '{') {
                int close = template.indexOf('}', i + 2);
                if (close < 0 || close == i + 2 || !isName(template, i + 2, close)) {
                    out.append('$');
                    i++;
                    continue;
                }
                name = template.substring(i + 2, close);
                after = close + 1;
            } else {
                int j = i + 1;
                while (j < n && isNameChar(template.charAt(j))) {
                    j++;
                }
                if (j == i + 1) {
                    out.append('$');
                    i++;
                    continue;
                }
                name = template.substring(i + 1, j);
                after = j;
            }
            String group = group(m, named, name);
            if (group != null) {
                out.append(group);
            }
            i = after;
        }
    }

    private static String group(Matcher m, Map<String, Integer> named, String name) {
        int index = -1;
        if (isDigits(name)) {
            try {
                index = Integer.parseInt(name);
            } catch (NumberFormatException e) {
                return null;
            }
        } else if (named != null) {
            Integer i = named.get(name);
            index = i == null ? -1 : i;
        }
        if (index < 0 || index > m.groupCount()) {
            return null;
        }
        return m.group(index);
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isName(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isNameChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
