package dev.gatehouse.core.config;

import java.util.regex.Pattern;

/**
 * {@code api}: the read-only API describing routers, services, middlewares, entry points and plugins.
 * Enabled by presence ({@code --api}, {@code api: {}}); reached through a router to {@code api@internal},
 * or directly with {@code insecure}.
 *
 * @param insecure serve {@code /api/} on the {@code gatehouse} entry point ({@code :8080} unless configured;
 *     {@code traefik} is an alias), ahead of its routers, without any middleware: for trusted networks only
 * @param dashboard serve the web dashboard at {@code /dashboard/} (default true): through a router to
 *     {@code dashboard@internal} (or {@code api@internal}, as in Traefik), or with {@code insecure}
 * @param debug accepted for compatibility; no debug endpoints yet
 * @param disableDashboardAd accepted with no effect: Gatehouse's dashboard shows no advertisement to switch off
 * @param basePath the path under which the API and the dashboard are served ({@code /traefik} serves
 *     {@code /traefik/api/...} and {@code /traefik/dashboard/}); default {@code /}. Checked as Traefik does.
 */
@EnabledByPresence
public record ApiConfig(Boolean insecure, Boolean dashboard, Boolean debug, Boolean disableDashboardAd,
        String basePath) {

    /** Traefik's check: an absolute path of characters that need no escaping in a URL or in HTML. */
    private static final Pattern VALID_BASE_PATH = Pattern.compile("/[a-zA-Z0-9/_.:~-]*");

    public ApiConfig {
        if (basePath != null && !VALID_BASE_PATH.matcher(basePath).matches()) {
            throw new InvalidValueException("basePath", "api.basePath '" + basePath + "' is not an absolute URL path: it must start"
                    + " with / and hold only letters, digits and / _ . : ~ - (as in Traefik), e.g. /traefik");
        }
    }

    public boolean insecureOrDefault() {
        return Boolean.TRUE.equals(insecure);
    }

    public boolean dashboardOrDefault() {
        return !Boolean.FALSE.equals(dashboard);
    }
}
