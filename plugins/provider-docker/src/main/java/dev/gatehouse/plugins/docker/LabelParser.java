package dev.gatehouse.plugins.docker;

import dev.gatehouse.api.config.ConfigurationLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one container's labels into Traefik's dynamic layout, as raw maps: {@code traefik.http.routers.r.rule=X}
 * becomes {@code http.routers.r.rule: X}. Labels are read under {@code traefik.} and then {@code gatehouse.}
 * (which wins for the same key), without regard to the case of the label names; element names and map keys keep
 * the case they were written in. {@code a[0]} and {@code a[1]} make a list.
 *
 * <p>A label whose key cannot be placed (an empty segment, a value and a section at the same place, a bad index)
 * leaves out the element it belongs to (router, service or middleware), with a message naming the container and
 * the label; everything else of the container is kept. What the values mean is not checked here: the gateway
 * binds and validates each element and reports problems with the container as origin.
 */
final class LabelParser {

    static final List<String> PREFIXES = List.of("traefik.", "gatehouse.");
    private static final Pattern INDEXED = Pattern.compile("(.+)\\[(\\d+)]");

    /** The result for one container. */
    static final class Parsed {
        /** {@code traefik.enable}; null when not set. */
        Boolean enable;
        /** {@code traefik.docker.network}; null when not set. */
        String network;
        /** Elements by kind ({@code http.routers}, {@code http.services}, {@code tcp.routers}...), then by name. */
        final Map<String, Map<String, Map<String, Object>>> elements = new LinkedHashMap<>();
        /** Problems, each a sentence naming the label. */
        final List<String> errors = new ArrayList<>();
        /** Set when the container must be left out altogether (an unreadable {@code enable}). */
        boolean unusable;

        Map<String, Map<String, Object>> kind(String kind) {
            return elements.getOrDefault(kind, Map.of());
        }
    }

    private LabelParser() {
    }

    static Parsed parse(Map<String, String> labels) {
        Parsed parsed = new Parsed();
        // rest of the key (after the prefix) -> [label, value]; later prefixes override earlier ones.
        Map<String, String[]> effective = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String prefix : PREFIXES) {
            for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
                String key = label.getKey();
                if (key.length() > prefix.length() && key.regionMatches(true, 0, prefix, 0, prefix.length())) {
                    effective.put(key.substring(prefix.length()), new String[] {key, label.getValue()});
                }
            }
        }
        Map<String, Map<String, Object>> trees = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Map<String, List<String>> broken = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String[]> entry : effective.entrySet()) {
            String rest = entry.getKey();
            String label = entry.getValue()[0];
            String value = entry.getValue()[1] == null ? "" : entry.getValue()[1];
            String lower = rest.toLowerCase(Locale.ROOT);
            if (lower.equals("enable")) {
                if (value.strip().equalsIgnoreCase("true")) {
                    parsed.enable = true;
                } else if (value.strip().equalsIgnoreCase("false")) {
                    parsed.enable = false;
                } else {
                    parsed.unusable = true;
                    parsed.errors.add("label '" + label + "': '" + value + "' is not true or false; the container is left out");
                }
                continue;
            }
            if (lower.equals("docker.network")) {
                parsed.network = value.strip().isEmpty() ? null : value.strip();
                continue;
            }
            String[] segments = rest.split("\\.", -1);
            String top = segments[0].toLowerCase(Locale.ROOT);
            // What Traefik reads of tls from labels: the default store only (its label decoder's filter), and of that
            // store defaultGeneratedCert only (defaultCertificate is label:"-" there).
            boolean defaultTlsStore = top.equals("tls") && segments.length > 4
                    && segments[1].equalsIgnoreCase("stores") && segments[2].equalsIgnoreCase("default")
                    && segments[3].equalsIgnoreCase("defaultgeneratedcert");
            if (!top.equals("http") && !top.equals("tcp") && !top.equals("udp") && !defaultTlsStore) {
                parsed.errors.add("label '" + label + "': unknown label (known: enable, docker.network, http.*, tcp.*, "
                        + "udp.*, tls.stores.default.defaultgeneratedcert.*); ignored");
                continue;
            }
            if (segments.length < 3 || segments[1].isEmpty() || segments[2].isEmpty()) {
                parsed.errors.add("label '" + label + "': expected " + top + ".<routers|services|middlewares>.<name>.<option>; ignored");
                continue;
            }
            String kind = top + "." + segments[1].toLowerCase(Locale.ROOT);
            String name = segments[2];
            String elementKey = kind + "\u0000" + name;
            if (segments.length < 4) {
                broken.computeIfAbsent(elementKey, k -> new ArrayList<>()).add("label '" + label + "': no option after the name");
                continue;
            }
            if (value.length() > ConfigurationLimits.MAX_VALUE_CHARS) {
                // The same bound as a value in a file: the element goes rather than run with one label missing.
                broken.computeIfAbsent(elementKey, k -> new ArrayList<>())
                        .add("label '" + label + "': " + ConfigurationLimits.valueProblem());
                continue;
            }
            Map<String, Object> tree = trees.computeIfAbsent(elementKey, k -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
            String problem = insert(tree, segments, 3, value);
            if (problem != null) {
                broken.computeIfAbsent(elementKey, k -> new ArrayList<>()).add("label '" + label + "': " + problem);
            }
        }
        for (Map.Entry<String, Map<String, Object>> tree : trees.entrySet()) {
            String[] kindAndName = tree.getKey().split("\u0000", 2);
            if (broken.containsKey(tree.getKey())) {
                continue;
            }
            parsed.elements.computeIfAbsent(kindAndName[0], k -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER))
                    .put(kindAndName[1], finish(tree.getValue()));
        }
        broken.forEach((key, problems) -> {
            String[] kindAndName = key.split("\u0000", 2);
            parsed.errors.add(String.join("; ", problems) + "; " + describe(kindAndName[0]) + " '" + kindAndName[1] + "' is left out");
        });
        return parsed;
    }

    private static String describe(String kind) {
        int dot = kind.indexOf('.');
        String section = kind.substring(dot + 1);
        String singular = section.endsWith("s") ? section.substring(0, section.length() - 1) : section;
        return kind.substring(0, dot) + " " + singular;
    }

    /** Places {@code value} at {@code segments[from..]} under {@code node}; returns a problem or null. */
    @SuppressWarnings("unchecked")
    private static String insert(Map<String, Object> node, String[] segments, int from, String value) {
        Map<String, Object> current = node;
        for (int i = from; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.isEmpty()) {
                return "empty name between dots";
            }
            Matcher indexed = INDEXED.matcher(segment);
            if (indexed.matches()) {
                String key = indexed.group(1);
                int index;
                try {
                    index = Integer.parseInt(indexed.group(2));
                } catch (NumberFormatException e) {
                    return "index too large in '" + segment + "'";
                }
                Object existing = current.get(key);
                IndexedList list;
                if (existing == null) {
                    list = new IndexedList();
                    current.put(key, list);
                } else if (existing instanceof IndexedList l) {
                    list = l;
                } else {
                    return "'" + key + "' is set both as a list and as " + (existing instanceof Map ? "a section" : "a value");
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
                current = (Map<String, Object>) item;
                continue;
            }
            if (segment.contains("[") || segment.contains("]")) {
                return "malformed index in '" + segment + "' (expected name[number])";
            }
            Object existing = current.get(segment);
            if (last) {
                if (existing == null) {
                    current.put(segment, value);
                } else if (existing instanceof Map && value.strip().equalsIgnoreCase("true")) {
                    // tls=true next to tls.certresolver=x: the section already says "on".
                } else if (existing instanceof Map || existing instanceof IndexedList) {
                    return "'" + segment + "' is set both as a value and as a section";
                }
                return null;
            }
            if (existing == null || (existing instanceof String s && s.strip().equalsIgnoreCase("true"))) {
                Map<String, Object> child = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                current.put(segment, child);
                current = child;
            } else if (existing instanceof Map) {
                current = (Map<String, Object>) existing;
            } else {
                return "'" + segment + "' is set both as a value and as a section";
            }
        }
        return null;
    }

    /** Replaces the indexed lists by lists, in index order. */
    @SuppressWarnings("unchecked")
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

    /** A list being built from {@code name[i]} labels. */
    private static final class IndexedList {
        final TreeMap<Integer, Object> items = new TreeMap<>();
    }
}
