package dev.gatehouse.plugins.matchers;

import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.RequestPredicate;
import java.util.List;
import org.pf4j.Extension;

/** {@code Path(`/products`)}: the path exactly; {@code /products/} does not match. */
@Extension
public final class PathMatcher implements Matcher {

    @Override
    public String name() {
        return "Path";
    }

    @Override
    public RequestPredicate compile(List<String> arguments) {
        String path = PathArguments.single(this, arguments);
        return request -> path.equals(request.path());
    }
}
