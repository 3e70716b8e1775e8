package dev.gatehouse.core.plugin;

import dev.gatehouse.api.CertResolver;
import dev.gatehouse.api.Matcher;
import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.NamedExtension;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.StorageBackend;
import dev.gatehouse.api.TcpMatcher;

/** The extension points, with the word users see in messages. */
public enum ExtensionKind {
    PROVIDER(Provider.class, "provider"),
    MATCHER(Matcher.class, "matcher"),
    TCP_MATCHER(TcpMatcher.class, "TCP matcher"),
    MIDDLEWARE(Middleware.class, "middleware type"),
    CERT_RESOLVER(CertResolver.class, "certificate resolver type"),
    STORAGE_BACKEND(StorageBackend.class, "storage backend");

    private final Class<? extends NamedExtension> type;
    private final String label;

    ExtensionKind(Class<? extends NamedExtension> type, String label) {
        this.type = type;
        this.label = label;
    }

    public Class<? extends NamedExtension> type() {
        return type;
    }

    public String label() {
        return label;
    }

    static ExtensionKind of(Class<?> extensionClass) {
        for (ExtensionKind kind : values()) {
            if (kind.type.isAssignableFrom(extensionClass)) {
                return kind;
            }
        }
        return null;
    }
}
