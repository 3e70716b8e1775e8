package dev.gatehouse.api.config;

/**
 * Size limits that every reader of configuration text applies (the static configuration file, the file
 * provider's files, and any provider that reads YAML or TOML), so that an oversized or hostile file is
 * refused in milliseconds with a sentence saying which limit it broke, instead of tying up the parser.
 *
 * <p>The limits are far above real configurations: a file of 10,000 routers with their services is about
 * 730 KB. Why lines are limited apart from files: the YAML scanner (SnakeYAML) re-copies its look-ahead
 * window for every 1,024 characters of one token, so its time grows with the square of the longest run
 * of text it must look through; a single 4 MB value took 25 s. Bounding lines bounds that.
 *
 * <pre>{@code
 * String problem = ConfigurationLimits.sizeProblem(Files.size(file));
 * if (problem == null) {
 *     byte[] content = Files.readAllBytes(file);
 *     problem = ConfigurationLimits.lineProblem(content);
 * }
 * if (problem != null) {
 *     errors.add(file + ": " + problem);
 * }
 * }</pre>
 */
public final class ConfigurationLimits {

    /** The largest configuration file read: 8 MiB. */
    public static final long MAX_FILE_BYTES = 8L * 1024 * 1024;

    /** The longest line of a configuration file: 256 KiB. */
    public static final int MAX_LINE_BYTES = 256 * 1024;

    /** The longest single value (a string, a key, a number): 1 MiB, as written across several lines. */
    public static final int MAX_VALUE_CHARS = 1024 * 1024;

    /** The deepest nesting of sections and lists. Real configurations stay below 15. */
    public static final int MAX_NESTING_DEPTH = 100;

    /**
     * The most values one document may hold once YAML aliases are expanded: an alias repeats its anchor's
     * whole tree, so a few lines of nested aliases ("billion laughs") could otherwise stand for billions.
     */
    public static final int MAX_EXPANDED_VALUES = 1_000_000;

    private ConfigurationLimits() {
    }

    /** Why a file of {@code bytes} bytes is refused, or null when its size is within {@link #MAX_FILE_BYTES}. */
    public static String sizeProblem(long bytes) {
        if (bytes <= MAX_FILE_BYTES) {
            return null;
        }
        return "the file is " + describeBytes(bytes) + "; configuration files are limited to "
                + describeBytes(MAX_FILE_BYTES) + " (split the configuration into several files)";
    }

    /**
     * Why {@code content} is refused for its longest line, or null when every line is within
     * {@link #MAX_LINE_BYTES}. Linear in the content's size.
     */
    public static String lineProblem(byte[] content) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i <= content.length; i++) {
            if (i == content.length || content[i] == '\n' || content[i] == '\r') {
                if (i - lineStart > MAX_LINE_BYTES) {
                    return "line " + line + " is " + describeBytes(i - lineStart) + " long; a line of a configuration "
                            + "file is limited to " + describeBytes(MAX_LINE_BYTES)
                            + " (write a long value on several lines, e.g. as a YAML block scalar |)";
                }
                if (i < content.length && content[i] == '\n') {
                    line++;
                } else if (i < content.length && (i + 1 == content.length || content[i + 1] != '\n')) {
                    line++; // a lone \r ends a line too, as YAML reads it
                }
                lineStart = i + 1;
            }
        }
        return null;
    }

    /** The sentence for a value longer than {@link #MAX_VALUE_CHARS}. */
    public static String valueProblem() {
        return "a value is longer than " + describeBytes(MAX_VALUE_CHARS) + "; configuration values are limited to "
                + describeBytes(MAX_VALUE_CHARS) + " (put large content such as certificates in files)";
    }

    /** The sentence for a document nested deeper than {@link #MAX_NESTING_DEPTH}. */
    public static String nestingProblem() {
        return "sections and lists are nested more than " + MAX_NESTING_DEPTH + " levels deep; configuration is "
                + "limited to " + MAX_NESTING_DEPTH + " levels";
    }

    /** The sentence for a document whose aliases expand beyond {@link #MAX_EXPANDED_VALUES}. */
    public static String expansionProblem() {
        return "its YAML aliases expand to more than " + MAX_EXPANDED_VALUES + " values; a configuration document is "
                + "limited to " + MAX_EXPANDED_VALUES + " values (use fewer nested aliases)";
    }

    /**
     * The sentence for content that is not UTF-8 text, the encoding configuration files are read in, or null when
     * {@code failure} (or its cause) is not an encoding failure.
     */
    public static String encodingProblem(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.io.CharConversionException) {
                return "not UTF-8 text (" + t.getMessage() + "); save the file as UTF-8";
            }
        }
        return null;
    }

    /** {@code 512 bytes}, {@code 256 KB}, {@code 50.0 MB}: binary units, as file managers show them. */
    static String describeBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        if (bytes < 1024 * 1024) {
            return bytes % 1024 == 0 ? bytes / 1024 + " KB" : String.format(java.util.Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        long mb = 1024L * 1024;
        return bytes % mb == 0 ? bytes / mb + " MB" : String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (double) mb);
    }
}
