package dev.gatehouse.core.router;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Route positions filed under literal path prefixes, so that the routes whose prefix a path starts with are
 * found in one walk along the path, whatever the number of other prefixes. Immutable once built; a lookup
 * allocates nothing.
 *
 * <p>A hash table of the prefixes, probed at each length some prefix has: walking the path computes the hash of
 * each of its prefixes as it goes ({@link String#hashCode()} is the same polynomial), so a path is tested against
 * a few table slots, one per prefix length. It replaced a character trie, whose lookups chased one node per
 * character: with 100,000 prefixes the trie did not fit the CPU caches and each request paid a chain of cache
 * misses (microseconds); here the probes are few and independent of each other.
 */
final class PathPrefixIndex {

    private static final int[] NONE = new int[0];

    /** The distinct lengths of the prefixes, ascending. */
    private final int[] lengths;
    /** Open addressing, linear probing: the prefix in each slot (null: empty), and its positions, ascending. */
    private final String[] prefixes;
    private final int[][] positions;
    private final int mask;

    private PathPrefixIndex(Map<String, List<Integer>> byPrefix) {
        TreeSet<Integer> distinct = new TreeSet<>();
        byPrefix.keySet().forEach(prefix -> distinct.add(prefix.length()));
        lengths = distinct.stream().mapToInt(Integer::intValue).toArray();
        int capacity = Integer.highestOneBit(Math.max(4, byPrefix.size() * 2) - 1) << 1;   // at most half full
        prefixes = new String[capacity];
        positions = new int[capacity][];
        mask = capacity - 1;
        byPrefix.forEach((prefix, filed) -> {
            int slot = spread(prefix.hashCode()) & mask;
            while (prefixes[slot] != null) {
                slot = (slot + 1) & mask;
            }
            prefixes[slot] = prefix;
            positions[slot] = filed.stream().mapToInt(Integer::intValue).sorted().toArray();
        });
    }

    boolean isEmpty() {
        return lengths.length == 0;
    }

    /** Collects filing prefixes; each prefix's positions are kept ascending. */
    static final class Builder {
        private final Map<String, List<Integer>> byPrefix = new HashMap<>();

        void add(String prefix, int position) {
            byPrefix.computeIfAbsent(prefix, p -> new ArrayList<>()).add(position);
        }

        PathPrefixIndex build() {
            return new PathPrefixIndex(byPrefix);
        }
    }

    /** Spreads the high bits of a hash into the low ones, which the table's mask keeps. */
    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }

    /** The positions filed under exactly {@code path}'s first {@code length} characters, whose hash is given. */
    private int[] filed(String path, int length, int hash) {
        for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
            String prefix = prefixes[slot];
            if (prefix == null) {
                return NONE;
            }
            if (prefix.length() == length && path.startsWith(prefix)) {
                return positions[slot];
            }
        }
    }

    /**
     * Adds to {@code into} (from index {@code size}) the positions filed under every prefix of {@code path},
     * and returns the new size; {@code into} must be large enough (every filing, at most).
     */
    int collect(String path, int[] into, int size) {
        int hash = 0;
        int walked = 0;
        for (int length : lengths) {
            if (length > path.length()) {
                break;
            }
            for (; walked < length; walked++) {
                hash = 31 * hash + path.charAt(walked);
            }
            int[] found = filed(path, length, hash);
            System.arraycopy(found, 0, into, size, found.length);
            size += found.length;
        }
        return size;
    }

    /** Whether any prefix of {@code path} has routes filed under it. */
    boolean anyPrefixOf(String path) {
        int hash = 0;
        int walked = 0;
        for (int length : lengths) {
            if (length > path.length()) {
                return false;
            }
            for (; walked < length; walked++) {
                hash = 31 * hash + path.charAt(walked);
            }
            if (filed(path, length, hash).length > 0) {
                return true;
            }
        }
        return false;
    }
}
