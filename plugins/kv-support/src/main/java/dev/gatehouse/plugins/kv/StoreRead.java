package dev.gatehouse.plugins.kv;

import dev.gatehouse.api.config.ConfigurationLimits;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one read of a store under the root key gathered, within bounds that keep a store written by someone else (or a
 * mistake) from exhausting the gateway's memory: a value over {@link #MAX_VALUE_BYTES} is not read, its key is
 * recorded instead and its element fails alone; keys and values over {@link #MAX_SNAPSHOT_BYTES} in all end the read
 * with {@link LimitExceeded}, so the provider keeps its last configuration and says why.
 *
 * <pre>{@code
 * StoreRead read = new StoreRead(prefix);
 * for (each key and value size the store lists) {
 *     if (read.fits(key, valueBytes)) {
 *         read.add(key, fetchValue(key));
 *     }
 *     if (read.complete()) break;
 * }
 * return read;
 * }</pre>
 */
public final class StoreRead {

    /** The largest value read from one key: 1 MiB, the bound on one value in a configuration file. */
    public static final int MAX_VALUE_BYTES = ConfigurationLimits.MAX_VALUE_CHARS;

    /**
     * The most bytes (keys and values) one read gathers: 32 MiB. 10,000 routers, each with its service, written in
     * Traefik's layout take about 3 MB.
     */
    public static final long MAX_SNAPSHOT_BYTES = 32L * 1024 * 1024;

    private final String prefix;
    private final long maxSnapshotBytes;
    private final Map<String, String> pairs = new LinkedHashMap<>();
    private final Map<String, String> oversized = new LinkedHashMap<>();
    private long bytes;

    /** @param prefix the root key plus {@code /}, for messages */
    public StoreRead(String prefix) {
        this(prefix, MAX_SNAPSHOT_BYTES);
    }

    StoreRead(String prefix, long maxSnapshotBytes) {
        this.prefix = prefix;
        this.maxSnapshotBytes = maxSnapshotBytes;
    }

    /**
     * Whether the value of {@code key}, {@code valueBytes} long, is to be read: false (and the key recorded as too
     * large) past {@link #MAX_VALUE_BYTES}.
     *
     * @throws LimitExceeded when the key and value would take the read past {@link #MAX_SNAPSHOT_BYTES}
     */
    public boolean fits(String key, long valueBytes) throws LimitExceeded {
        if (valueBytes > MAX_VALUE_BYTES) {
            tooLarge(key, describe(valueBytes));
            return false;
        }
        count(key.length() + valueBytes);
        return true;
    }

    /** Records {@code key} as too large to read, its value being {@code size} (e.g. {@code more than 16 MiB}). */
    public void tooLarge(String key, String size) throws LimitExceeded {
        count(key.length());
        oversized.put(key, "the value is " + size + "; a value read from the store is limited to "
                + describe(MAX_VALUE_BYTES) + " (keep large content, such as certificates, in files and give their "
                + "paths)");
    }

    /** Adds a value {@link #fits} accepted. */
    public void add(String key, String value) {
        pairs.put(key, value);
    }

    /** Reads, checks and adds one pair whose size was not known beforehand. */
    public void put(String key, String value, long valueBytes) throws LimitExceeded {
        if (fits(key, valueBytes)) {
            add(key, value);
        }
    }

    /**
     * Whether reading may stop: past {@link ConfigurationLimits#MAX_VALUES} keys the configuration is refused anyway
     * (KeyValueLayout says so).
     */
    public boolean complete() {
        return pairs.size() + oversized.size() > ConfigurationLimits.MAX_VALUES;
    }

    /** The keys read with their values. */
    public Map<String, String> pairs() {
        return pairs;
    }

    /** The keys whose values were too large to read, each with the problem for its element. */
    public Map<String, String> oversized() {
        return oversized;
    }

    private void count(long more) throws LimitExceeded {
        bytes += more;
        if (bytes > maxSnapshotBytes) {
            throw new LimitExceeded("the keys under " + prefix + " hold more than " + describe(maxSnapshotBytes)
                    + " (keys and values); a provider reads at most " + describe(maxSnapshotBytes) + " from the store: "
                    + "delete keys no longer used under " + prefix + " (configuration read before is kept meanwhile)");
        }
    }

    static String describe(long bytes) {
        long mib = 1024L * 1024;
        if (bytes % mib == 0) {
            return bytes / mib + " MiB";
        }
        if (bytes >= mib) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) mib);
        }
        return bytes + " bytes";
    }

    /** A read stopped at {@link #MAX_SNAPSHOT_BYTES}; the message says so for a user. */
    public static final class LimitExceeded extends Exception {
        private static final long serialVersionUID = 1L;

        LimitExceeded(String message) {
            super(message, null, false, false);
        }
    }
}
