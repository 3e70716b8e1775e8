package dev.gatehouse.api.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns flat keys (Docker labels, key-value store keys) into Traefik's dynamic layout, as raw maps, one element
 * (router, service, middleware, TLS option...) at a time: a key whose path cannot be placed leaves out only the
 * element it belongs to, with a message naming the key; every other element is kept. What the values mean is not
 * checked here: the gateway binds and validates each element and reports its problems.
 *
 * <p>A key is given as its path of segments: the section ({@code http}, {@code tcp}, {@code udp}, {@code tls}), the
 * kind ({@code routers}, {@code services}, {@code middlewares}, {@code serversTransports}, {@code options}...), the
 * element's name, then the option's path. A list index is a segment written {@code [n]}, as Traefik's own decoder
 * writes it: a key-value provider turns {@code .../entrypoints/0} into {@code entrypoints, [0]}, a label parser turns
 * {@code entrypoints[0]} into the same. Section, kind and option names are matched without regard to case, as in
 * Traefik; element names and map keys keep the case they were first written in (give keys in a stable order).
 * An empty value or {@code true} where other keys open a section ({@code tls} next to {@code tls/certresolver}) is
 * that section switched on, as Traefik reads it.
 *
 * <pre>{@code
 * FlatKeyDecoder decoder = new FlatKeyDecoder();
 * decoder.put("key 'traefik/http/routers/app/rule'", List.of("http", "routers", "app", "rule"), "Host(`a.test`)");
 * decoder.put("key 'traefik/http/routers/app/entrypoints/0'", List.of("http", "routers", "app", "entrypoints", "[0]"), "web");
 * FlatKeyDecoder.Decoded decoded = decoder.decode();
 * Map<String, Object> content = decoded.content();   // {http={routers={app={entrypoints=[web], rule=Host(`a.test`)}}}}
 * List<String> errors = decoded.errors();            // "key '...': ...; http router 'x' is left out"
 * }</pre>
 *
 * <p>Not thread-safe; one decoder per snapshot.
 */
public final class FlatKeyDecoder {

    private final Map<String, Map<String, Object>> trees = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, List<String>> broken = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final List<String> errors = new ArrayList<>();

    /** An empty decoder. */
    public FlatKeyDecoder() {
    }

    /**
     * Adds one key.
     *
     * @param described the key as messages name it, e.g. {@code label 'traefik.http.routers.app.rule'} or
     *     {@code key 'traefik/http/routers/app/rule'}
     * @param path section, kind, element name, then the option's segments; a list index written {@code [n]}
     * @param value the value; null is read as empty
     */
    public void put(String described, List<String> path, String value) {
        Objects.requireNonNull(described, "described");
        Objects.requireNonNull(path, "path");
        String text = value == null ? "" : value;
        if (path.size() < 3 || path.get(0).isEmpty() || path.get(1).isEmpty() || path.get(2).isEmpty()
                || isIndex(path.get(1))) {
            String section = path.isEmpty() ? "<section>" : path.get(0).toLowerCase(Locale.ROOT);
            errors.add(described + ": expected " + section + " then routers, services, middlewares... then a name and an "
                    + "option; ignored");
            return;
        }
        String kind = path.get(0).toLowerCase(Locale.ROOT) + "." + path.get(1).toLowerCase(Locale.ROOT);
        String name = path.get(2);
        String elementKey = kind + "\u0000" + name;
        if (path.size() < 4 && !isIndex(name)) {
            broken(elementKey, described + ": no option after the name");
            return;
        }
        if (text.length() > ConfigurationLimits.MAX_VALUE_CHARS) {
            // The same bound as a value in a file: the element goes rather than run with one key missing.
            broken(elementKey, described + ": " + ConfigurationLimits.valueProblem());
            return;
        }
        if (path.size() > ConfigurationLimits.MAX_NESTING_DEPTH) {
            broken(elementKey, described + ": " + ConfigurationLimits.nestingProblem());
            return;
        }
        Map<String, Object> tree = trees.computeIfAbsent(elementKey, k -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
        if (path.size() == 3) {
            // A list element given as a whole value (tls/certificates/0 = x): kept as written, for the binder to judge.
            tree.put("", text);
            return;
        }
        String problem = insert(tree, path, 3, text);
        if (problem != null) {
            broken(elementKey, described + ": " + problem);
        }
    }

    /**
     * Leaves out the element a key belongs to, for a problem the caller found in the key itself (a malformed label
     * index, say), as if the key could not be placed.
     *
     * @param described the key as messages name it
     * @param element section, kind and element name
     * @param problem what is wrong, for a user
     */
    public void reject(String described, List<String> element, String problem) {
        Objects.requireNonNull(element, "element");
        if (element.size() < 3) {
            errors.add(described + ": " + problem + "; ignored");
            return;
        }
        broken(element.get(0).toLowerCase(Locale.ROOT) + "." + element.get(1).toLowerCase(Locale.ROOT) + "\u0000"
                + element.get(2), described + ": " + problem);
    }

    /** The elements and problems of the keys given so far. */
    public Decoded decode() {
        Map<String, Map<String, Map<String, Object>>> elements = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> tree : trees.entrySet()) {
            if (broken.containsKey(tree.getKey())) {
                continue;
            }
            String[] kindAndName = tree.getKey().split("\u0000", 2);
            elements.computeIfAbsent(kindAndName[0], k -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER))
                    .put(kindAndName[1], finish(tree.getValue()));
        }
        List<String> all = new ArrayList<>(errors);
        broken.forEach((key, problems) -> {
            String[] kindAndName = key.split("\u0000", 2);
            all.add(String.join("; ", problems) + "; " + describe(kindAndName[0]) + " '" + kindAndName[1] + "' is left out");
        });
        return new Decoded(elements, all);
    }

    /** Whether {@code segment} is a list index written {@code [n]}. */
    public static boolean isIndex(String segment) {
        int length = segment.length();
        if (length < 3 || segment.charAt(0) != '[' || segment.charAt(length - 1) != ']') {
            return false;
        }
        for (int i = 1; i < length - 1; i++) {
            if (segment.charAt(i) < '0' || segment.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * What {@link #decode()} found.
     *
     * @param elements by kind ({@code http.routers}, {@code tls.options}, lower case), then by element name, each the
     *     element's raw tree; an element of a list kind ({@code tls.certificates}) is named by its index {@code [n]}
     * @param errors problems, each a sentence naming the key and the element left out
     */
    public record Decoded(Map<String, Map<String, Map<String, Object>>> elements, List<String> errors) {

        public Decoded {
            elements = Objects.requireNonNull(elements, "elements");
            errors = List.copyOf(errors);
        }

        /** The elements of one kind ({@code http.routers}), by name; empty when there are none. */
        public Map<String, Map<String, Object>> kind(String kind) {
            return elements.getOrDefault(kind.toLowerCase(Locale.ROOT), Map.of());
        }

        /**
         * All elements as one tree in Traefik's dynamic layout ({@code http: {routers: {app: {...}}}}), ready for a
         * {@link dev.gatehouse.api.ConfigurationFragment}; the elements of a kind named by indexes become a list, in
         * index order.
         */
        public Map<String, Object> content() {
            Map<String, Object> content = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            elements.forEach((kind, byName) -> {
                String[] sectionAndKind = kind.split("\\.", 2);
                @SuppressWarnings("unchecked")
                Map<String, Object> section = (Map<String, Object>) content.computeIfAbsent(sectionAndKind[0],
                        k -> new TreeMap<String, Object>(String.CASE_INSENSITIVE_ORDER));
                if (!byName.isEmpty() && byName.keySet().stream().allMatch(FlatKeyDecoder::isIndex)) {
                    TreeMap<Integer, Object> ordered = new TreeMap<>();
                    byName.forEach((index, tree) -> ordered.put(index(index), tree.size() == 1 && tree.containsKey("")
                            ? tree.get("") : tree));
                    section.put(sectionAndKind[1], new ArrayList<>(ordered.values()));
                } else {
                    section.put(sectionAndKind[1], new TreeMap<>(byName));
                }
            });
            return content;
        }
    }

    private void broken(String elementKey, String problem) {
        broken.computeIfAbsent(elementKey, k -> new ArrayList<>()).add(problem);
    }

    private static int index(String segment) {
        try {
            return Integer.parseInt(segment.substring(1, segment.length() - 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String describe(String kind) {
        int dot = kind.indexOf('.');
        String section = kind.substring(dot + 1);
        String singular = section.endsWith("s") ? section.substring(0, section.length() - 1) : section;
        return kind.substring(0, dot) + " " + singular;
    }

    private static boolean isSwitchOn(Object value) {
        return value instanceof String s && (s.isBlank() || s.strip().equalsIgnoreCase("true"));
    }

    /** Places {@code value} at {@code path[from..]} under {@code node}; returns a problem or null. */
    @SuppressWarnings("unchecked")
    private static String insert(Map<String, Object> node, List<String> path, int from, String value) {
        Object current = node;
        for (int i = from; i < path.size(); i++) {
            String segment = path.get(i);
            boolean last = i == path.size() - 1;
            if (segment.isEmpty()) {
                return "empty name in the key";
            }
            if (isIndex(segment)) {
                int index = index(segment);
                if (index < 0) {
                    return "index too large in '" + segment + "'";
                }
                if (!(current instanceof IndexedList list)) {
                    return "a list index '" + segment + "' where a name is expected";
                }
                if (last) {
                    if (list.items.containsKey(index)) {
                        return "'" + segment + "' is set twice";
                    }
                    list.items.put(index, value);
                    return null;
                }
                Object item = list.items.computeIfAbsent(index, k -> new TreeMap<String, Object>(String.CASE_INSENSITIVE_ORDER));
                if (!(item instanceof Map)) {
                    return "'" + segment + "' is set both as a value and as a section";
                }
                current = item;
                continue;
            }
            if (!(current instanceof Map)) {
                return "'" + segment + "' follows a list without an index";
            }
            Map<String, Object> map = (Map<String, Object>) current;
            Object existing = map.get(segment);
            boolean listNext = !last && isIndex(path.get(i + 1));
            if (last) {
                if (existing == null) {
                    map.put(segment, value);
                } else if (existing instanceof Map && isSwitchOn(value)) {
                    // tls=true (or an empty tls key) next to tls/certresolver=x: the section already says "on".
                } else if (existing instanceof Map || existing instanceof IndexedList) {
                    return "'" + segment + "' is set both as a value and as a section";
                }
                return null;
            }
            if (listNext) {
                if (existing == null) {
                    existing = new IndexedList();
                    map.put(segment, existing);
                } else if (!(existing instanceof IndexedList)) {
                    return "'" + segment + "' is set both as a list and as " + (existing instanceof Map ? "a section" : "a value");
                }
                current = existing;
                continue;
            }
            if (existing == null || isSwitchOn(existing)) {
                Map<String, Object> child = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                map.put(segment, child);
                current = child;
            } else if (existing instanceof Map) {
                current = existing;
            } else {
                return "'" + segment + "' is set both as " + (existing instanceof IndexedList ? "a list" : "a value")
                        + " and as a section";
            }
        }
        return null;
    }

    /** Replaces the indexed lists by lists, in index order. */
    private static Map<String, Object> finish(Map<String, Object> node) {
        Map<String, Object> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, Object> e : node.entrySet()) {
            out.put(e.getKey(), finishValue(e.getValue()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object finishValue(Object value) {
        if (value instanceof IndexedList list) {
            List<Object> items = new ArrayList<>();
            list.items.values().forEach(v -> items.add(finishValue(v)));
            return items;
        }
        if (value instanceof Map<?, ?> map) {
            return finish((Map<String, Object>) map);
        }
        return value;
    }

    /** A list being built from indexed keys; sparse indexes keep their order. */
    private static final class IndexedList {
        final TreeMap<Integer, Object> items = new TreeMap<>();
    }
}
