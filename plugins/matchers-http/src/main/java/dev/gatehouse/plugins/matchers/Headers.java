package dev.gatehouse.plugins.matchers;

import com.google.re2j.Pattern;
import dev.gatehouse.api.Matcher;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;

/**
 * What Header and HeaderRegexp share. As in Go's {@code req.Header[key]}, the name is compared without regard
 * to case and every header line with that name is one value, tested on its own: a request carrying
 * {@code X-Env: a} and {@code X-Env: b} matches {@code Header(`X-Env`, `b`)}; commas inside one line are not
 * split.
 */
final class Headers {

    private Headers() {
    }

    static String name(Matcher matcher, List<String> arguments) {
        Matcher.requireArguments(matcher, arguments, 2);
        String name = arguments.get(0).strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException(matcher.name() + " needs a header name as its first argument, got an empty one");
        }
        return name;
    }

    /** Indexed loop: no iterator per request. */
    static boolean anyEquals(Request request, String name, String value) {
        HttpFields fields = request.getHeaders();
        for (int i = 0, n = fields.size(); i < n; i++) {
            HttpField field = fields.getField(i);
            if (field.is(name) && value.equals(field.getValue())) {
                return true;
            }
        }
        return false;
    }

    static boolean anyFinds(Request request, String name, Pattern pattern) {
        HttpFields fields = request.getHeaders();
        for (int i = 0, n = fields.size(); i < n; i++) {
            HttpField field = fields.getField(i);
            if (field.is(name)) {
                String value = field.getValue();
                if (Regexps.find(pattern, value == null ? "" : value)) {
                    return true;
                }
            }
        }
        return false;
    }
}
