package dev.gatehouse.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where each key of the merged configuration came from: {@code conf/gatehouse.yml:7},
 * {@code flag --ping.entryPoint=web}, {@code environment variable GATEHOUSE_LOG_LEVEL}. Keys are
 * dotted paths, compared without regard to case; list items are written {@code name[0]}.
 */
public final class ConfigOrigins {

    private final Map<String, String> byPath = new LinkedHashMap<>();

    ConfigOrigins() {
    }

    /** Records that {@code path} was set by {@code origin}, which replaces whatever set it or its children before. */
    void set(List<String> path, String origin) {
        String key = key(path);
        byPath.keySet().removeIf(k -> k.startsWith(key + ".") || k.startsWith(key + "["));
        byPath.put(key, origin);
    }

    /** Records an origin for {@code path} without touching its children (a file's section headers). */
    void put(List<String> path, String origin) {
        byPath.put(key(path), origin);
    }

    /**
     * Where {@code path} came from: its own origin, else the first origin below it (an unknown
     * section named by a flag), else its nearest ancestor's; {@code "configuration"} when unknown.
     */
    public String describe(List<String> path) {
        String key = key(path);
        String exact = byPath.get(key);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, String> e : byPath.entrySet()) {
            if (e.getKey().startsWith(key + ".") || e.getKey().startsWith(key + "[")) {
                return e.getValue();
            }
        }
        for (int n = path.size() - 1; n > 0; n--) {
            String ancestor = byPath.get(key(path.subList(0, n)));
            if (ancestor != null) {
                return ancestor;
            }
        }
        return "configuration";
    }

    /** Same as {@link #describe(List)} for a dotted path such as {@code entryPoints.web.address}. */
    public String describe(String dottedPath) {
        return describe(List.of(dottedPath.split("\\.")));
    }

    /** Every recorded path (lower case) and its origin, in the order recorded. */
    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(byPath);
    }

    static String key(List<String> path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path) {
            if (segment.startsWith("[")) {
                out.append(segment);
            } else {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(segment.toLowerCase(Locale.ROOT));
            }
        }
        return out.toString();
    }
}
