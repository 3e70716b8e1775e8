package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.Matcher;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every matcher of the plugin by its rule name, as the gateway's registry would hold them. */
final class AllMatchers {

    static final List<Matcher> ALL = List.of(new HostMatcher(), new HostRegexpMatcher(), new PathMatcher(),
            new PathPrefixMatcher(), new PathRegexpMatcher(), new MethodMatcher(), new HeaderMatcher(),
            new HeaderRegexpMatcher(), new QueryMatcher(), new QueryRegexpMatcher(), new ClientIPMatcher());

    private static final Map<String, Matcher> BY_NAME =
            ALL.stream().collect(Collectors.toMap(Matcher::name, Function.identity()));

    private AllMatchers() {
    }

    static Matcher named(String name) {
        Matcher matcher = BY_NAME.get(name);
        if (matcher == null) {
            throw new IllegalArgumentException("no matcher " + name);
        }
        return matcher;
    }
}
