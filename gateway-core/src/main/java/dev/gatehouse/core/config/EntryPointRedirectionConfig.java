package dev.gatehouse.core.config;

/**
 * {@code entryPoints.<name>.http.redirections.entryPoint}: every request on the entry point is redirected to
 * the same host and path on the target, as Traefik does with a router of its own on the entry point.
 *
 * @param to the target: an entry point name ({@code websecure}) or a port ({@code :443})
 * @param scheme the scheme of the new URL (default {@code https})
 * @param permanent 301/308 instead of 302/307 (default true)
 * @param priority the priority of the redirecting router among the entry point's routers (default
 *     {@code Integer.MAX_VALUE - 1}, ahead of every ordinary router)
 */
public record EntryPointRedirectionConfig(String to, String scheme, Boolean permanent, Integer priority) {

    public static final int DEFAULT_PRIORITY = Integer.MAX_VALUE - 1;

    public String schemeOrDefault() {
        return scheme == null || scheme.isBlank() ? "https" : scheme.strip().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean permanentOrDefault() {
        return permanent == null || permanent;
    }

    public int priorityOrDefault() {
        return priority == null || priority == 0 ? DEFAULT_PRIORITY : priority;
    }
}
