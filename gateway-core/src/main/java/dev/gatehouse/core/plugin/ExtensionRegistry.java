package dev.gatehouse.core.plugin;

import dev.gatehouse.api.CertResolver;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.NamedExtension;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.StorageBackend;
import dev.gatehouse.api.TcpMatcher;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The extensions in use, by kind and name. Immutable once built; the core looks names up here when it
 * builds a configuration, never per request.
 */
public final class ExtensionRegistry {

    private final Map<ExtensionKind, Map<String, NamedExtension>> byKind;

    private ExtensionRegistry(Map<ExtensionKind, Map<String, NamedExtension>> byKind) {
        this.byKind = byKind;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Matcher matcher(String name) {
        return (Matcher) byKind.get(ExtensionKind.MATCHER).get(name);
    }

    /** The TCP rule function {@code name} ({@code HostSNI}); as Traefik reads them, without regard to case. */
    public TcpMatcher tcpMatcher(String name) {
        Map<String, NamedExtension> matchers = byKind.get(ExtensionKind.TCP_MATCHER);
        NamedExtension exact = matchers.get(name);
        if (exact != null || name == null) {
            return (TcpMatcher) exact;
        }
        for (Map.Entry<String, NamedExtension> e : matchers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return (TcpMatcher) e.getValue();
            }
        }
        return null;
    }

    /**
     * The middleware type {@code type}; when no name matches exactly, one that matches without regard to case, as
     * Traefik's Docker labels are read ({@code traefik.http.middlewares.m.stripprefix.prefixes}).
     */
    public Middleware<?> middleware(String type) {
        Map<String, NamedExtension> types = byKind.get(ExtensionKind.MIDDLEWARE);
        NamedExtension exact = types.get(type);
        if (exact != null || type == null) {
            return (Middleware<?>) exact;
        }
        for (Map.Entry<String, NamedExtension> e : types.entrySet()) {
            if (e.getKey().equalsIgnoreCase(type)) {
                return (Middleware<?>) e.getValue();
            }
        }
        return null;
    }

    public Provider<?> provider(String name) {
        return (Provider<?>) byKind.get(ExtensionKind.PROVIDER).get(name);
    }

    public CertResolver<?> certResolver(String type) {
        return (CertResolver<?>) byKind.get(ExtensionKind.CERT_RESOLVER).get(type);
    }

    /** The storage backend {@code name} (the key below the static {@code storage} section), or null. */
    public StorageBackend<?> storageBackend(String name) {
        return (StorageBackend<?>) byKind.get(ExtensionKind.STORAGE_BACKEND).get(name);
    }

    /** The names of one kind, in registration order: for "known names are ..." hints in errors. */
    public Set<String> names(ExtensionKind kind) {
        return Collections.unmodifiableSet(byKind.get(kind).keySet());
    }

    /** Collects extensions; the first registration of a name wins, later ones are reported by the caller. */
    public static final class Builder {
        private final Map<ExtensionKind, Map<String, NamedExtension>> byKind = new EnumMap<>(ExtensionKind.class);

        private Builder() {
            for (ExtensionKind kind : ExtensionKind.values()) {
                byKind.put(kind, new LinkedHashMap<>());
            }
        }

        /** Returns the extension already registered under that kind and name, or null when this one was added. */
        public NamedExtension add(ExtensionKind kind, NamedExtension extension) {
            return byKind.get(kind).putIfAbsent(extension.name(), extension);
        }

        public ExtensionRegistry build() {
            Map<ExtensionKind, Map<String, NamedExtension>> copy = new EnumMap<>(ExtensionKind.class);
            byKind.forEach((kind, map) -> copy.put(kind, Collections.unmodifiableMap(new LinkedHashMap<>(map))));
            return new ExtensionRegistry(copy);
        }
    }
}
