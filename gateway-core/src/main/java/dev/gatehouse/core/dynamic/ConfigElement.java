package dev.gatehouse.core.dynamic;

/**
 * The configuration element a {@link ConfigProblem} is about: a router, service, middleware or servers transport
 * by qualified name, a provider, or anything else (a source, a TLS key) by the words users know it by.
 *
 * @param type what kind of element it is
 * @param name its qualified name ({@code app@file}); for {@link Type#OTHER}, the whole description
 */
public record ConfigElement(Type type, String name) {

    /** The kinds of element that problems are about. */
    public enum Type {
        ROUTER("router"),
        SERVICE("service"),
        MIDDLEWARE("middleware"),
        SERVERS_TRANSPORT("serversTransport"),
        PROVIDER("provider"),
        TCP_ROUTER("TCP router"),
        TCP_SERVICE("TCP service"),
        TCP_MIDDLEWARE("TCP middleware"),
        TCP_SERVERS_TRANSPORT("TCP serversTransport"),
        UDP_ROUTER("UDP router"),
        UDP_SERVICE("UDP service"),
        /** A source as a whole, a TLS key, a host: named by its description alone. */
        OTHER("");

        private final String word;

        Type(String word) {
            this.word = word;
        }

        /** The type whose word ({@code router}, {@code serversTransport}) is given; OTHER for any other. */
        public static Type of(String word) {
            for (Type type : values()) {
                if (type != OTHER && type.word.equals(word)) {
                    return type;
                }
            }
            return OTHER;
        }
    }

    public static ConfigElement router(String name) {
        return new ConfigElement(Type.ROUTER, name);
    }

    public static ConfigElement service(String name) {
        return new ConfigElement(Type.SERVICE, name);
    }

    public static ConfigElement middleware(String name) {
        return new ConfigElement(Type.MIDDLEWARE, name);
    }

    public static ConfigElement tcpRouter(String name) {
        return new ConfigElement(Type.TCP_ROUTER, name);
    }

    public static ConfigElement tcpService(String name) {
        return new ConfigElement(Type.TCP_SERVICE, name);
    }

    /** Anything without a qualified name of its own, by its description ({@code tls.options.modern@file}). */
    public static ConfigElement other(String description) {
        return new ConfigElement(Type.OTHER, description);
    }

    /** The provider part of a qualified name ({@code file} for {@code app@file}); null when there is none. */
    public String provider() {
        int at = name.lastIndexOf('@');
        return type == Type.OTHER || at < 0 ? null : name.substring(at + 1);
    }

    /** As users read it: {@code router app@file}, or the description of an OTHER element. */
    @Override
    public String toString() {
        return type == Type.OTHER ? name : type.word + " " + name;
    }
}
