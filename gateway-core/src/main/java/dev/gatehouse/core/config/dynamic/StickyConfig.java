package dev.gatehouse.core.config.dynamic;

/**
 * {@code sticky}: sticky sessions.
 *
 * @param cookie the cookie that pins a client to a server (or a child service)
 */
public record StickyConfig(CookieConfig cookie) {

    /**
     * {@code sticky.cookie}.
     *
     * @param name the cookie's name; default {@code _} and the first 5 hex digits of the SHA-1 of the service name
     * @param secure the Secure flag
     * @param httpOnly the HttpOnly flag
     * @param sameSite {@code none}, {@code lax}, {@code strict} or empty
     * @param maxAge seconds until it expires; 0 (default) a session cookie, negative expires it at once
     * @param path the cookie's path; default {@code /}
     * @param domain the cookie's domain; default none
     */
    public record CookieConfig(String name, Boolean secure, Boolean httpOnly, String sameSite, Integer maxAge,
            String path, String domain) {
    }
}
