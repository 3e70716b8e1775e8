package dev.gatehouse.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a {@link TestBackend#echo echo backend} says it received, parsed from its answer.
 *
 * @param backend the backend's name
 * @param method the request method
 * @param uri the path and query
 * @param headers the request headers, in order, names as received
 */
public record Echoed(String backend, String method, String uri, List<String[]> headers) {

    public static Echoed parse(String body) {
        String backend = null;
        String method = null;
        String uri = null;
        List<String[]> headers = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("backend=")) {
                backend = line.substring("backend=".length());
            } else if (line.startsWith("method=")) {
                method = line.substring("method=".length());
            } else if (line.startsWith("uri=")) {
                uri = line.substring("uri=".length());
            } else if (line.startsWith("header: ")) {
                String field = line.substring("header: ".length());
                int colon = field.indexOf(": ");
                headers.add(colon < 0 ? new String[] {field, ""}
                        : new String[] {field.substring(0, colon), field.substring(colon + 2)});
            }
        }
        if (backend == null) {
            throw new AssertionError("not an echo backend's answer: " + body);
        }
        return new Echoed(backend, method, uri, List.copyOf(headers));
    }

    /** Every value of a header (case-insensitive name), in the order received. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (String[] header : headers) {
            if (header[0].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                values.add(header[1]);
            }
        }
        return values;
    }

    /** The single value of a header, null when absent; fails when the header came more than once. */
    public String header(String name) {
        List<String> values = all(name);
        if (values.size() > 1) {
            throw new AssertionError("header " + name + " received " + values.size() + " times: " + values);
        }
        return values.isEmpty() ? null : values.get(0);
    }
}
