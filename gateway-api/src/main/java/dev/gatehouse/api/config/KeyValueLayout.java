package dev.gatehouse.api.config;

import dev.gatehouse.api.ConfigurationFragment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Traefik's key-value layout, as its etcd, Redis, Consul and ZooKeeper providers read it, for any provider that
 * reads a key-value store: the keys under a root key ({@code traefik} by default), {@code /}-separated, name the
 * configuration's path; a segment of digits is a list index; names are matched without regard to case.
 *
 * <pre>{@code
 * traefik/http/routers/app/rule                          Host(`app.example.com`)
 * traefik/http/routers/app/entrypoints/0                 websecure
 * traefik/http/routers/app/tls/certresolver              le
 * traefik/http/services/app/loadbalancer/servers/0/url   http://10.0.0.7:8080
 * traefik/http/middlewares/gz/compress                   (empty: the type with its defaults)
 * }</pre>
 *
 * <p>Only the sections Traefik reads are read ({@code http}, {@code tcp}, {@code udp}, {@code tls}); other keys under
 * the root are reported once, by name, and ignored. Each element (router, service, middleware, transport, TLS option
 * or store) becomes a fragment of its own whose origin names its keys' prefix, so a problem in one leaves out that
 * element only.
 *
 * <pre>{@code
 * Map<String, String> pairs = readEverythingUnder(rootKey + "/");
 * context.publish(new ConfigurationSnapshot(KeyValueLayout.fragments("etcd", rootKey, pairs)));
 * }</pre>
 */
public final class KeyValueLayout {

    /** The sections Traefik's KV providers read (the fields of its dynamic configuration). */
    private static final Set<String> SECTIONS = Set.of("http", "tcp", "udp", "tls");

    private KeyValueLayout() {
    }

    /**
     * The configuration in {@code pairs}.
     *
     * @param store how origins name the store, e.g. {@code etcd} ({@code etcd: traefik/http/routers/app})
     * @param rootKey the root key, without a trailing {@code /}
     * @param pairs every key under {@code rootKey/} with its value; other keys are ignored
     * @return one fragment per element, then (when there are any) one naming problems not tied to an element
     */
    public static List<ConfigurationFragment> fragments(String store, String rootKey, Map<String, String> pairs) {
        return fragments(store, rootKey, pairs, Map.of());
    }

    /**
     * The configuration in {@code pairs}, leaving out the elements of the keys in {@code rejected}: keys the provider
     * found but could not take (a value too large to read, say), so that their elements fail alone instead of running
     * with a key missing.
     *
     * @param store how origins name the store, e.g. {@code etcd}
     * @param rootKey the root key, without a trailing {@code /}
     * @param pairs every key under {@code rootKey/} with its value; other keys are ignored
     * @param rejected keys under {@code rootKey/}, each with what is wrong with it, for a user
     * @return one fragment per element, then (when there are any) one naming problems not tied to an element
     */
    public static List<ConfigurationFragment> fragments(String store, String rootKey, Map<String, String> pairs,
            Map<String, String> rejected) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(rejected, "rejected");
        Objects.requireNonNull(rootKey, "rootKey");
        Objects.requireNonNull(pairs, "pairs");
        String root = withoutTrailingSlash(rootKey);
        String prefix = root + "/";
        if (pairs.size() + rejected.size() > ConfigurationLimits.MAX_VALUES) {
            return List.of(ConfigurationFragment.failed(store + ": " + prefix, "more than " + ConfigurationLimits.MAX_VALUES
                    + " keys under " + prefix + "; a configuration is limited to " + ConfigurationLimits.MAX_VALUES
                    + " values"));
        }
        // Traefik sorts the keys before it decodes them: the first spelling of a name wins, the same on every read.
        Map<String, String> sorted = new TreeMap<>(pairs);
        FlatKeyDecoder decoder = new FlatKeyDecoder();
        Set<String> unknown = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> pair : sorted.entrySet()) {
            String key = pair.getKey();
            if (!key.startsWith(prefix)) {
                continue;
            }
            List<String> path = path(key.substring(prefix.length()));
            if (path.isEmpty()) {
                continue;
            }
            if (!SECTIONS.contains(path.get(0).toLowerCase(Locale.ROOT))) {
                unknown.add(prefix + path.get(0));
                continue;
            }
            String bracketed = bracketedSegment(key.substring(prefix.length()));
            if (bracketed != null) {
                // Traefik makes list indexes of digit segments only; "[0]" would be read as one here, since the
                // decoder writes indexes that way: refuse it rather than read a key Traefik reads differently.
                decoder.reject("key '" + key + "'", path, "the segment '" + bracketed + "' is not a list index in a "
                        + "key-value store (Traefik writes an index as a segment of digits: .../servers/0/url); rename "
                        + "the key");
                continue;
            }
            decoder.put("key '" + key + "'", path, pair.getValue());
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(rejected).entrySet()) {
            String key = entry.getKey();
            if (key.startsWith(prefix)) {
                List<String> path = path(key.substring(prefix.length()));
                if (!path.isEmpty() && SECTIONS.contains(path.get(0).toLowerCase(Locale.ROOT))) {
                    decoder.reject("key '" + key + "'", path, entry.getValue());
                }
            }
        }
        FlatKeyDecoder.Decoded decoded = decoder.decode();
        List<ConfigurationFragment> fragments = new ArrayList<>();
        decoded.elements().forEach((kind, byName) -> {
            String[] sectionAndKind = kind.split("\\.", 2);
            boolean list = byName.keySet().stream().allMatch(FlatKeyDecoder::isIndex);
            if (list) {
                // A list (tls/certificates/0, /1...): one fragment, since its items have no names of their own.
                Map<String, Map<String, Map<String, Object>>> only = Map.of(kind, byName);
                fragments.add(ConfigurationFragment.of(store + ": " + prefix + sectionAndKind[0] + "/" + sectionAndKind[1],
                        new FlatKeyDecoder.Decoded(only, List.of()).content()));
                return;
            }
            byName.forEach((name, tree) -> fragments.add(ConfigurationFragment.of(
                    store + ": " + prefix + sectionAndKind[0] + "/" + sectionAndKind[1] + "/" + name,
                    Map.of(sectionAndKind[0], Map.of(sectionAndKind[1], Map.of(name, tree))))));
        });
        List<String> errors = new ArrayList<>(decoded.errors());
        if (!unknown.isEmpty()) {
            errors.add("keys under " + String.join(", ", unknown) + " are not configuration (known: " + prefix + "http, "
                    + prefix + "tcp, " + prefix + "udp, " + prefix + "tls); ignored");
        }
        if (!errors.isEmpty()) {
            fragments.add(new ConfigurationFragment(store + ": " + prefix, Map.of(), errors));
        }
        return fragments;
    }

    /**
     * A key's path below the root as {@link FlatKeyDecoder} takes it: split at {@code /}, empty segments dropped
     * (Traefik's reading of {@code a//b}), a segment of digits written {@code [n]}.
     */
    public static List<String> path(String keyBelowRoot) {
        List<String> path = new ArrayList<>();
        for (String segment : keyBelowRoot.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            path.add(isDigits(segment) ? "[" + segment + "]" : segment);
        }
        return path;
    }

    /** The first segment of {@code keyBelowRoot} written as a bracketed index ({@code [0]}), or null. */
    private static String bracketedSegment(String keyBelowRoot) {
        for (String segment : keyBelowRoot.split("/")) {
            if (FlatKeyDecoder.isIndex(segment)) {
                return segment;
            }
        }
        return null;
    }

    /** {@code rootKey} without a trailing {@code /}: keys are read under it plus {@code /}. */
    public static String withoutTrailingSlash(String rootKey) {
        String root = rootKey.strip();
        while (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        return root;
    }

    private static boolean isDigits(String segment) {
        return !segment.isEmpty() && segment.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
