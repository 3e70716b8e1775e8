package dev.gatehouse.plugins.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.file.DynamicFiles.FileRead;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The settle rule on its own, with time given by the test: what the watcher publishes for each sequence of
 * looks at the files. Milliseconds here are the test's clock, not waits.
 */
class ChangeSettlerTest {

    private static final Path A = Path.of("/conf/a.yml");
    private static final Path B = Path.of("/conf/b.yml");
    private static final String FULL = "http:\n  routers:\n    r:\n      rule: Path(`/r`)\n      service: s\n";
    private static final String HALF = "http:\n  routers:\n";

    private static final String BROKEN = "http:\n  routers:\n    r:\n      rule: x\n     service: y\n";

    private final ChangeSettler settler = new ChangeSettler(Duration.ofMillis(100), Duration.ofMillis(1000),
            Duration.ofMillis(10_000), files(A, FULL), DynamicFiles.ofFile(A)::parses);

    private static FileRead read(String text) {
        return FileRead.of(text.getBytes(StandardCharsets.UTF_8));
    }

    private static FileRead read(String text, long modifiedMillis) {
        return FileRead.of(text.getBytes(StandardCharsets.UTF_8), FileTime.fromMillis(modifiedMillis));
    }

    /** Alternating paths and contents; a null content leaves the file out (it does not exist). */
    private static SortedMap<Path, FileRead> files(Object... pathsAndContents) {
        SortedMap<Path, FileRead> files = new TreeMap<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            if (pathsAndContents[i + 1] != null) {
                files.put((Path) pathsAndContents[i], read((String) pathsAndContents[i + 1]));
            }
        }
        return files;
    }

    private ChangeSettler.Decision at(long millis, SortedMap<Path, FileRead> files) {
        return settler.observed(files, millis * 1_000_000);
    }

    @Test
    void newContentIsPublishedOnceItStayedTheSameForTheSettleInterval() {
        String next = FULL.replace("/r", "/s");
        ChangeSettler.Decision first = at(0, files(A, next));
        assertFalse(first.publishes(), "just changed: not yet");
        assertEquals(100_000_000, first.nextLookNanos(), "looks again when it is due");

        ChangeSettler.Decision second = at(100, files(A, next));
        assertEquals(files(A, next), second.publish());
        assertFalse(second.pending());
    }

    @Test
    void aFileStillBeingWrittenStartsItsIntervalAgainAtEachChange() {
        assertFalse(at(0, files(A, "")).publishes());
        assertFalse(at(60, files(A, HALF)).publishes());
        ChangeSettler.Decision notYet = at(120, files(A, FULL.replace("/r", "/s")));
        assertFalse(notYet.publishes(), "the half-written file was never published");
        assertEquals(220_000_000, notYet.nextLookNanos());
        assertEquals(files(A, FULL.replace("/r", "/s")), at(220, files(A, FULL.replace("/r", "/s"))).publish());
    }

    @Test
    void aTruncatedReadFollowedByTheSameContentPublishesNothing() {
        assertFalse(at(0, files(A, "")).publishes());
        ChangeSettler.Decision back = at(100, files(A, FULL));
        assertFalse(back.publishes(), "the content is what was published");
        assertFalse(back.pending(), "nothing left to look at");
    }

    @Test
    void aWriterRewritingTheSameContentEvery50MillisecondsNeverPublishesItEmpty() {
        // Each look lands either after a write (full) or between truncate and write (empty); whatever the mix,
        // the empty file never lasts the 1 s it needs, and the full one is what was published already.
        for (int look = 0; look < 200; look++) {
            ChangeSettler.Decision decision = at(look * 100L, files(A, look % 3 == 0 ? "" : FULL));
            assertFalse(decision.publishes(), "look " + look);
        }
    }

    @Test
    void aWriterRewritingNewContentContinuouslyIsPublishedWhenTwoLooksReadTheSameBytes() {
        String next = FULL.replace("/r", "/next");
        assertFalse(at(0, files(A, "")).publishes());
        assertFalse(at(100, files(A, next)).publishes());
        assertFalse(at(200, files(A, "")).publishes());
        assertFalse(at(300, files(A, next)).publishes());
        assertEquals(files(A, next), at(400, files(A, next)).publish(), "the same bytes a settle interval apart");
    }

    @Test
    void anEmptiedFileIsPublishedOnlyAfterStayingEmptyForTheLongerIntervalAndIsNamed() {
        ChangeSettler.Decision first = at(0, files(A, ""));
        assertEquals(100_000_000, first.nextLookNanos(), "keeps looking every settle interval meanwhile");
        for (long t = 100; t < 1000; t += 100) {
            assertFalse(at(t, files(A, "  \n")).publishes(), "white space is empty too; at " + t + " ms");
        }
        // The content changed at 100 ms (white space instead of nothing): empty since then, so due at 1100 ms.
        assertFalse(at(1000, files(A, "  \n")).publishes());
        ChangeSettler.Decision applied = at(1100, files(A, "  \n"));
        assertEquals(files(A, "  \n"), applied.publish());
        assertEquals(List.of(A), applied.emptied());
    }

    @Test
    void anEmptiedFileWrittenAgainBetweenEveryTwoLooksIsNeverPublishedEmpty() {
        // A writer that truncates and rewrites on the beat of the looks: every look catches the file empty, each
        // time after a new write (its modification time tells).
        for (int look = 0; look < 30; look++) {
            SortedMap<Path, FileRead> caughtEmpty = new TreeMap<>(Map.of(A, read("", look * 100L - 20)));
            assertFalse(at(look * 100L, caughtEmpty).publishes(), "look " + look);
        }
        // The writer stops and leaves the file empty (last written at 2880 ms): it must now stay untouched for 1 s.
        SortedMap<Path, FileRead> leftEmpty = new TreeMap<>(Map.of(A, read("", 2880)));
        assertFalse(at(3800, leftEmpty).publishes());
        ChangeSettler.Decision applied = at(3900, leftEmpty);
        assertEquals(files(A, ""), applied.publish(), "equal bytes: the modification time is not part of the content");
        assertEquals(List.of(A), applied.emptied());
    }

    @Test
    void aNewModificationTimeAloneDoesNotHoldBackContentThatLooksWhole() {
        // A generator that rewrites the same new file every 50 ms: two looks read the same bytes, and that is enough.
        String next = FULL.replace("/r", "/next");
        assertFalse(at(0, new TreeMap<>(Map.of(A, read(next, 0)))).publishes());
        assertEquals(files(A, next), at(100, new TreeMap<>(Map.of(A, read(next, 50)))).publish());
    }

    @Test
    void contentThatDoesNotParseMustStayForTheLongerIntervalGivingASlowWriterTimeToFinish() {
        String fixed = FULL.replace("/r", "/s");
        assertFalse(at(0, files(A, BROKEN)).publishes());
        assertFalse(at(500, files(A, BROKEN)).publishes(), "perhaps a writer that paused mid-file");
        assertFalse(at(600, files(A, fixed)).publishes(), "finished: the usual interval starts");
        assertEquals(files(A, fixed), at(700, files(A, fixed)).publish());

        assertFalse(at(2000, files(A, BROKEN)).publishes());
        assertFalse(at(2900, files(A, BROKEN)).publishes());
        assertEquals(files(A, BROKEN), at(3000, files(A, BROKEN)).publish(),
                "still broken after 1 s: published, so that the error is reported (the last good version stays in use)");
    }

    @Test
    void aFileThatWasEmptyAlreadyOrIsNewAndEmptyNeedsOnlyTheSettleInterval() {
        assertFalse(at(0, files(A, FULL, B, "")).publishes());
        ChangeSettler.Decision decision = at(100, files(A, FULL, B, ""));
        assertEquals(files(A, FULL, B, ""), decision.publish());
        assertEquals(List.of(), decision.emptied(), "nothing was lost: no warning");
    }

    @Test
    void filesSettleIndependently() {
        String bNew = FULL.replace("/r", "/b");
        assertFalse(at(0, files(A, "", B, bNew)).publishes());
        ChangeSettler.Decision decision = at(100, files(A, HALF, B, bNew));
        assertEquals(files(A, FULL, B, bNew), decision.publish(), "b settled; a keeps its published content");
        assertTrue(decision.pending(), "a is still looked at");
        assertEquals(files(A, HALF, B, bNew), at(200, files(A, HALF, B, bNew)).publish());
    }

    @Test
    void aDeletedFileIsRemovedOnceItStayedAway() {
        assertFalse(at(0, files()).publishes());
        assertEquals(files(), at(100, files()).publish());
    }

    @Test
    void aFileThatNeverSettlesIsReportedOnceAndKeepsItsPublishedContent() {
        int reported = 0;
        for (long t = 0; t <= 20_000; t += 100) {
            ChangeSettler.Decision decision = at(t, files(A, FULL.replace("/r", "/v" + t)));
            assertFalse(decision.publishes());
            reported += decision.keepChanging().size();
            if (t == 10_000) {
                assertEquals(List.of(A), decision.keepChanging(), "reported after 10 s");
            }
        }
        assertEquals(1, reported, "once while it keeps changing");
    }

    @Test
    void unreadableFilesSettleLikeAnyOther() {
        FileRead missing = FileRead.failed(A + ": does not exist");
        SortedMap<Path, FileRead> gone = new TreeMap<>();
        gone.put(A, missing);
        assertFalse(at(0, gone).publishes(), "a file missing for a moment, as when an editor renames it away first");
        assertFalse(at(50, files(A, FULL)).pending(), "back as it was");
        assertFalse(at(200, gone).publishes());
        assertEquals(gone, at(300, gone).publish());
    }
}
