package dev.gatehouse.core.dynamic;

/** How configuration elements name each other across providers, as in Traefik. */
public final class ElementNames {

    private ElementNames() {
    }

    /**
     * The full name of a reference made by an element of {@code provider}: {@code name} refers to the element's own
     * provider ({@code name@provider}); {@code name@other} to another, as written.
     */
    public static String qualify(String reference, String provider) {
        String trimmed = reference.strip();
        return trimmed.contains("@") ? trimmed : trimmed + "@" + provider;
    }
}
