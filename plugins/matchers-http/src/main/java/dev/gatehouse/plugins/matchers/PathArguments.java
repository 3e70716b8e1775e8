package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.Matcher;
import java.util.List;

/** The checks that Path and PathPrefix share. */
final class PathArguments {

    private PathArguments() {
    }

    static String single(Matcher matcher, List<String> arguments) {
        Matcher.requireArguments(matcher, arguments, 1);
        String path = arguments.get(0);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(matcher.name() + " path '" + path + "' must start with '/'");
        }
        return path;
    }
}
