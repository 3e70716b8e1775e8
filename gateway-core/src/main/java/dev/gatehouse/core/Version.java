package dev.gatehouse.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The gateway's version and the commit it was built from, filtered into a resource at build time. */
public final class Version {

    private static final Properties BUILD = load();

    private Version() {
    }

    public static String get() {
        return BUILD.getProperty("version", "unknown");
    }

    /** The commit the build was made from ({@code -Dgatehouse.commit}), or {@code unknown}. */
    public static String commit() {
        String commit = BUILD.getProperty("commit", "unknown");
        return commit.isBlank() || commit.startsWith("${") ? "unknown" : commit;
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource leaves "unknown"
        }
        return properties;
    }
}
