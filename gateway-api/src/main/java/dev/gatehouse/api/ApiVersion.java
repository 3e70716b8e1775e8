package dev.gatehouse.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The semantic version of this plugin API, such as {@code 0.2.0}: what a plugin's {@code Plugin-Requires}
 * expression is checked against when the gateway loads it. It moves independently of the gateway's own
 * version: a gateway release that does not change the API keeps the API version.
 *
 * <p>A plugin declares the range it was built for in its manifest, and the gateway refuses it, naming the
 * range and this version, when the range does not hold:
 *
 * <pre>{@code
 * Plugin-Id: request-id
 * Plugin-Version: 1.0.0
 * Plugin-Requires: >=0.2.0 & <0.3.0
 * }</pre>
 *
 * <p>A plugin may also log it:
 *
 * <pre>{@code
 * LOG.info("running on Gatehouse API {}", ApiVersion.current());
 * }</pre>
 */
public final class ApiVersion {

    private static final String CURRENT = load();

    private ApiVersion() {
    }

    /** The API version of the gateway that runs this code (read from the API jar, never inlined into a plugin). */
    public static String current() {
        return CURRENT;
    }

    private static String load() {
        try (InputStream in = ApiVersion.class.getResourceAsStream("api-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("api-version.properties is missing from gateway-api");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
