package dev.gatehouse.core.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The prefix trie finds exactly the positions filed under the prefixes a path starts with, as testing every
 * prefix with {@link String#startsWith} does: random prefix sets against random paths, with shared prefixes,
 * prefixes of equal String hash ("Aa" and "BB", which a hash-based index would have to tell apart), the empty prefix and characters beyond Latin-1.
 */
class PrefixTrieTest {

    /** Few characters, so that prefixes share beginnings and paths often start with several of them. */
    private static final String[] PIECES = {"/", "a", "Aa", "BB", "b", "é", "€", "/api", "x"};

    private static String randomText(Random random, int maxPieces) {
        StringBuilder text = new StringBuilder();
        int pieces = random.nextInt(maxPieces + 1);
        for (int i = 0; i < pieces; i++) {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }

    private static int[] expected(List<String> prefixes, String path) {
        List<Integer> found = new ArrayList<>();
        for (int position = 0; position < prefixes.size(); position++) {
            if (path.startsWith(prefixes.get(position))) {
                found.add(position);
            }
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void findsExactlyThePrefixesAPathStartsWith() {
        Random random = new Random(18);
        for (int round = 0; round < 300; round++) {
            List<String> prefixes = new ArrayList<>();
            PrefixTrie.Builder builder = new PrefixTrie.Builder();
            int count = 1 + random.nextInt(40);
            for (int position = 0; position < count; position++) {
                String prefix = randomText(random, 4);
                prefixes.add(prefix);
                builder.add(prefix, position);
            }
            PrefixTrie index = builder.build();
            for (int request = 0; request < 50; request++) {
                String path = randomText(random, 6);
                int[] into = new int[prefixes.size()];
                int size = index.collect(path, into, 0);
                int[] found = Arrays.copyOf(into, size);
                Arrays.sort(found);
                int[] want = expected(prefixes, path);
                assertArrayEquals(want, found, "prefixes " + prefixes + ", path " + path);
                assertEquals(want.length > 0, index.anyPrefixOf(path), "prefixes " + prefixes + ", path " + path);
            }
        }
    }

    @Test
    void prefixesWithTheSameHashAreToldApart() {
        assertEquals("Aa".hashCode(), "BB".hashCode());
        PrefixTrie.Builder builder = new PrefixTrie.Builder();
        builder.add("Aa", 0);
        builder.add("BB", 1);
        PrefixTrie index = builder.build();
        int[] into = new int[2];
        assertEquals(1, index.collect("BB/x", into, 0));
        assertEquals(1, into[0]);
        assertEquals(false, index.anyPrefixOf("AB"));
    }
}
