package dev.gatehouse.core.router;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Route positions filed under literal path prefixes, so that the routes whose prefix a path starts with are
 * found by walking the path once, whatever the number of other prefixes. Immutable once built; a lookup
 * allocates nothing.
 */
final class PrefixTrie {

    private static final int[] NONE = new int[0];

    private static final class Node {
        char[] keys = new char[0];
        Node[] children = new Node[0];
        int[] positions = NONE;
    }

    private final Node root;
    private final boolean empty;

    private PrefixTrie(Node root, boolean empty) {
        this.root = root;
        this.empty = empty;
    }

    boolean isEmpty() {
        return empty;
    }

    /** Collects filing prefixes into a trie; each prefix's positions are kept ascending. */
    static final class Builder {
        private final TreeMap<String, List<Integer>> byPrefix = new TreeMap<>();

        void add(String prefix, int position) {
            byPrefix.computeIfAbsent(prefix, p -> new ArrayList<>()).add(position);
        }

        PrefixTrie build() {
            Node root = new Node();
            byPrefix.forEach((prefix, positions) -> {
                Node node = root;
                for (int i = 0; i < prefix.length(); i++) {
                    node = child(node, prefix.charAt(i));
                }
                node.positions = positions.stream().mapToInt(Integer::intValue).sorted().toArray();
            });
            return new PrefixTrie(root, byPrefix.isEmpty());
        }

        private static Node child(Node node, char c) {
            int at = Arrays.binarySearch(node.keys, c);
            if (at >= 0) {
                return node.children[at];
            }
            int insert = -at - 1;
            char[] keys = new char[node.keys.length + 1];
            Node[] children = new Node[node.children.length + 1];
            System.arraycopy(node.keys, 0, keys, 0, insert);
            System.arraycopy(node.children, 0, children, 0, insert);
            keys[insert] = c;
            children[insert] = new Node();
            System.arraycopy(node.keys, insert, keys, insert + 1, node.keys.length - insert);
            System.arraycopy(node.children, insert, children, insert + 1, node.children.length - insert);
            node.keys = keys;
            node.children = children;
            return children[insert];
        }
    }

    /**
     * Adds to {@code into} (from index {@code size}) the positions filed under every prefix of {@code path},
     * and returns the new size; {@code into} must be large enough ({@link #maxMatches()}).
     */
    int collect(String path, int[] into, int size) {
        Node node = root;
        size = append(node.positions, into, size);
        for (int i = 0; i < path.length(); i++) {
            int at = Arrays.binarySearch(node.keys, path.charAt(i));
            if (at < 0) {
                break;
            }
            node = node.children[at];
            size = append(node.positions, into, size);
        }
        return size;
    }

    /** Whether any prefix of {@code path} has routes filed under it. */
    boolean anyPrefixOf(String path) {
        Node node = root;
        if (node.positions.length > 0) {
            return true;
        }
        for (int i = 0; i < path.length(); i++) {
            int at = Arrays.binarySearch(node.keys, path.charAt(i));
            if (at < 0) {
                return false;
            }
            node = node.children[at];
            if (node.positions.length > 0) {
                return true;
            }
        }
        return false;
    }

    private static int append(int[] positions, int[] into, int size) {
        System.arraycopy(positions, 0, into, size, positions.length);
        return size + positions.length;
    }
}
