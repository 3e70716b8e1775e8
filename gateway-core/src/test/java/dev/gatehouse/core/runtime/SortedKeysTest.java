package dev.gatehouse.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The name-ordered maps of a build are the TreeMaps they replace: same order, same lookups, still mutable; and the
 * order kept from one build to the next is the order of the keys of the next.
 */
class SortedKeysTest {

    @Test
    void aTreeMapBuiltFromSortedKeysIsTheTreeMapOfTheEntries() {
        Map<String, Integer> entries = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            entries.put("r" + i + (i % 3 == 0 ? "@docker" : "@file"), i);
        }
        List<String> keys = new SortedKeys().of(entries);
        TreeMap<String, Integer> built = SortedKeys.treeMap(keys, keys.stream().map(entries::get).toList());
        TreeMap<String, Integer> expected = new TreeMap<>(entries);
        assertEquals(List.copyOf(expected.keySet()), keys);
        assertEquals(expected, built);
        assertEquals(List.copyOf(expected.entrySet()), List.copyOf(built.entrySet()));
        assertEquals(expected.get("r500@file"), built.get("r500@file"));
        assertEquals(expected.headMap("r5").size(), built.headMap("r5").size());
        built.computeIfAbsent("a-late@file", k -> -1);
        assertEquals("a-late@file", built.firstKey());
        assertEquals(SortedKeys.treeMap(List.of(), List.of()), new TreeMap<>());
    }

    @Test
    void theOrderKeptFromTheLastBuildIsGivenOnlyWhileTheKeysAreTheSame() {
        SortedKeys sortedKeys = new SortedKeys();
        Map<String, Integer> entries = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            entries.put("r" + i + "@file", i);
        }
        List<String> first = sortedKeys.of(entries);
        assertEquals(List.copyOf(new TreeMap<>(entries).keySet()), first);

        entries.put("r7@file", -7);   // a router changed, its name did not
        assertSame(first, sortedKeys.of(new HashMap<>(entries)), "the same names: the same order, not sorted again");

        Map<String, Integer> renamed = new HashMap<>(entries);
        renamed.remove("r7@file");
        renamed.put("a-new@file", 0);   // as many names as before, one of them new
        assertEquals(List.copyOf(new TreeMap<>(renamed).keySet()), sortedKeys.of(renamed));

        Map<String, Integer> fewer = new HashMap<>(renamed);
        fewer.remove("r50@file");
        assertEquals(List.copyOf(new TreeMap<>(fewer).keySet()), sortedKeys.of(fewer));
        assertEquals(List.of(), sortedKeys.of(Map.of()));
    }
}
