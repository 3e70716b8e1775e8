package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.MatchContext;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import java.util.Locale;

/**
 * What the Traefik v2 rule syntax ({@code ruleSyntax: v2}) shares: its matchers take any number of arguments (one
 * match is enough), and Host, Path and Query values are gorilla/mux templates, literal text with {@code {name}} or
 * {@code {name:regexp}} variables ({@code /api/{version:v[0-9]+}/}). A template becomes one RE2 regexp anchored at
 * the start, and at the end unless it is a prefix; a variable without a regexp stands for one host label
 * ({@code [^.]+}), one path segment ({@code [^/]+}) or any query value ({@code .*}).
 */
final class V2Templates {

    /** What a template is matched against, which sets its default variable pattern and its anchoring. */
    enum Kind {
        HOST("[^.]+", true), PATH("[^/]+", true), PATH_PREFIX("[^/]+", false), QUERY_VALUE(".*", true);

        final String defaultPattern;
        final boolean anchoredAtEnd;

        Kind(String defaultPattern, boolean anchoredAtEnd) {
            this.defaultPattern = defaultPattern;
            this.anchoredAtEnd = anchoredAtEnd;
        }
    }

    private V2Templates() {
    }

    /** At least one argument, none empty: a v2 matcher with nothing to match is a configuration error. */
    static void requireSome(Matcher matcher, List<String> arguments) {
        if (arguments.isEmpty()) {
            throw new IllegalArgumentException(matcher.name() + " expects at least 1 argument, got 0");
        }
        for (String argument : arguments) {
            if (argument.isEmpty()) {
                throw new IllegalArgumentException(matcher.name() + " does not take an empty argument");
            }
        }
    }

    /** Arguments in name/value pairs ({@code Headers(`X-A`, `1`, `X-B`, `2`)}), none empty, as Traefik requires. */
    static void requirePairs(Matcher matcher, List<String> arguments) {
        requireSome(matcher, arguments);
        if (arguments.size() % 2 != 0) {
            throw new IllegalArgumentException(matcher.name() + " expects name and value pairs, got " + arguments.size()
                    + (arguments.size() == 1 ? " argument" : " arguments"));
        }
    }

    /** The template as one RE2 pattern; literal text is quoted, host literals lower-cased (hosts are matched so). */
    static Pattern compile(String matcher, String template, Kind kind) {
        StringBuilder regexp = new StringBuilder("^");
        int literalStart = 0;
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '}') {
                throw new IllegalArgumentException(matcher + " template `" + template + "` has an unbalanced '}'");
            }
            if (c != '{') {
                i++;
                continue;
            }
            int depth = 0;
            int end = i;
            for (; end < template.length(); end++) {
                char e = template.charAt(end);
                if (e == '{') {
                    depth++;
                } else if (e == '}' && --depth == 0) {
                    break;
                }
            }
            if (end == template.length()) {
                throw new IllegalArgumentException(matcher + " template `" + template + "` has an unbalanced '{'");
            }
            regexp.append(literal(template.substring(literalStart, i), kind));
            String variable = template.substring(i + 1, end);
            int colon = variable.indexOf(':');
            String name = colon < 0 ? variable : variable.substring(0, colon);
            String pattern = colon < 0 ? kind.defaultPattern : variable.substring(colon + 1);
            if (name.isBlank() || pattern.isEmpty()) {
                throw new IllegalArgumentException(matcher + " template `" + template
                        + "`: a variable needs a name and, after ':', a regexp, as in {name:[a-z]+}");
            }
            regexp.append("(?:").append(pattern).append(')');
            i = end + 1;
            literalStart = i;
        }
        regexp.append(literal(template.substring(literalStart), kind));
        if (kind.anchoredAtEnd) {
            regexp.append('$');
        }
        return Regexps.compile(matcher, regexp.toString());
    }

    private static String literal(String text, Kind kind) {
        return text.isEmpty() ? "" : Pattern.quote(kind == Kind.HOST ? text.toLowerCase(Locale.ROOT) : text);
    }

    /** Matches when any of the patterns matches the value {@code of} the request gives. */
    static RequestPredicate any(Pattern[] patterns, java.util.function.Function<MatchContext, String> of) {
        return request -> {
            String value = of.apply(request);
            for (Pattern pattern : patterns) {
                if (pattern.matcher(value).find()) {
                    return true;
                }
            }
            return false;
        };
    }
}
