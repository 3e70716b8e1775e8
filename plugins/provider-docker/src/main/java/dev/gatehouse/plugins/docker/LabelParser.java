package dev.gatehouse.plugins.docker;

import dev.gatehouse.api.config.FlatKeyDecoder;
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
 *
 * <p>Placing keys is {@link FlatKeyDecoder}'s, shared with the key-value providers; what is Docker's stays here:
 * the prefixes, {@code enable}, {@code docker.network}, and the {@code name[i]} index syntax of labels.
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
        FlatKeyDecoder decoder = new FlatKeyDecoder();
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
            List<String> path = new ArrayList<>();
            String problem = null;
            for (int i = 0; i < segments.length && problem == null; i++) {
                problem = split(segments[i], i >= 3, path);
            }
            if (problem != null) {
                decoder.reject("label '" + label + "'", List.of(segments[0], segments[1], segments[2]), problem);
            } else {
                decoder.put("label '" + label + "'", path, value);
            }
        }
        FlatKeyDecoder.Decoded decoded = decoder.decode();
        parsed.elements.putAll(decoded.elements());
        parsed.errors.addAll(decoded.errors());
        return parsed;
    }

    /**
     * Adds one dotted segment to {@code path}: {@code name[i]} as {@code name} and the index {@code [i]}, as the
     * shared decoder takes list indexes. Returns a problem or null.
     */
    private static String split(String segment, boolean option, List<String> path) {
        if (segment.isEmpty()) {
            return "empty name between dots";
        }
        Matcher indexed = INDEXED.matcher(segment);
        if (option && indexed.matches()) {
            try {
                Integer.parseInt(indexed.group(2));
            } catch (NumberFormatException e) {
                return "index too large in '" + segment + "'";
            }
            path.add(indexed.group(1));
            path.add("[" + indexed.group(2) + "]");
            return null;
        }
        if (option && (segment.contains("[") || segment.contains("]"))) {
            return "malformed index in '" + segment + "' (expected name[number])";
        }
        path.add(segment);
        return null;
    }
}
