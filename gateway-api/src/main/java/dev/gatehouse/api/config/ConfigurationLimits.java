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

    /** The largest dynamic configuration file read: 4 MiB, over five times a file of 10,000 routers. */
    public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    /** The largest static configuration file read: 1 MiB. Static configurations are a few kilobytes. */
    public static final long MAX_STATIC_FILE_BYTES = 1024L * 1024;

    /** The longest line of a configuration file: 256 KiB. */
    public static final int MAX_LINE_BYTES = 256 * 1024;

    /** The longest single value (a string, a key, a number): 1 MiB, as written across several lines. */
    public static final int MAX_VALUE_CHARS = 1024 * 1024;

    /** The deepest nesting of sections and lists. Real configurations stay below 15. */
    public static final int MAX_NESTING_DEPTH = 100;

    /**
     * The most values (keys, strings, numbers, sections, lists) one document may hold, each YAML alias counted as
     * the whole tree it repeats: a few lines of nested aliases ("billion laughs") could otherwise stand for
     * billions. A file of 10,000 routers with their services holds about 100,000.
     */
    public static final int MAX_VALUES = 500_000;

    private ConfigurationLimits() {
    }

    /** Why a dynamic file of {@code bytes} bytes is refused, or null when it is within {@link #MAX_FILE_BYTES}. */
    public static String sizeProblem(long bytes) {
        if (bytes <= MAX_FILE_BYTES) {
            return null;
        }
        return "the file is " + describeBytes(bytes) + "; dynamic configuration files are limited to "
                + describeBytes(MAX_FILE_BYTES) + " (split the configuration into several files)";
    }

    /** Why a static file of {@code bytes} bytes is refused, or null when it is within {@link #MAX_STATIC_FILE_BYTES}. */
    public static String staticSizeProblem(long bytes) {
        if (bytes <= MAX_STATIC_FILE_BYTES) {
            return null;
        }
        return "the file is " + describeBytes(bytes) + "; the static configuration file is limited to "
                + describeBytes(MAX_STATIC_FILE_BYTES) + " (routes and services belong in the file provider's files)";
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

    /** The sentence for a document of more than {@link #MAX_VALUES} values. */
    public static String valueCountProblem() {
        return "the document holds more than " + MAX_VALUES + " values (each YAML alias counted as the values it "
                + "repeats); a configuration document is limited to " + MAX_VALUES + " values";
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
