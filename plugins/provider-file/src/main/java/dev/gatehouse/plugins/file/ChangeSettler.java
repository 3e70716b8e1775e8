package dev.gatehouse.plugins.file;

import dev.gatehouse.plugins.file.DynamicFiles.FileRead;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * Decides which file contents may be published: a file's new content only once it has stayed the same for a
 * settle interval, so that a file rewritten in place (truncated, then written, as {@code cat > file} and many
 * editors do) is never published half-written or empty by accident.
 *
 * <p>The watcher reads every file each time it looks ({@link #observed}), and this class compares what it read
 * with what it read before, file by file:
 * <ul>
 *   <li>a file whose bytes equal what was last published is settled and needs nothing;</li>
 *   <li>a file whose bytes differ from the previous look starts its settle interval again;</li>
 *   <li>a file whose bytes stayed the same for {@code settle} is settled, and its new content is published;</li>
 *   <li>content that looks half-written must stay the same for the longer {@code suspectSettle}: a file that had
 *       content and is now empty (white space only), so that a program that truncates the file and then takes a
 *       while to write it does not blank its routes in between; and content that does not parse, so that a
 *       writer that pauses mid-file gets time to finish before a syntax error is reported (the file's last good
 *       version stays in use either way). Such content must also stay untouched: a new modification time
 *       between two looks starts its interval again, though the bytes read were the same. Looks come every settle
 *       interval, and a writer that truncates and rewrites on a steady beat (every 50 ms, say) can be caught
 *       empty at every look for a whole second; its modification time is what shows it never stopped. Emptied
 *       files are named in the decision, so that the watcher can say so.</li>
 * </ul>
 * For content that looks whole, comparing bytes rather than watch events or modification times is what lets a
 * writer that rewrites the same content continuously (every 50 ms, say) still settle: its events never stop, but two
 * looks a settle interval apart read the same bytes. Files settle independently: one file that keeps changing never
 * holds back the others; it keeps its last published content until it settles.
 *
 * <p>Time is passed in (nanoseconds, as {@link System#nanoTime()}), so that tests drive it. Not thread-safe: the
 * watch thread alone uses it.
 */
final class ChangeSettler {

    /** What to do after a look at the files. */
    record Decision(SortedMap<Path, FileRead> publish, List<Path> emptied, List<Path> keepChanging,
            long nextLookNanos) {

        /** Whether there is something new to publish (then {@link #publish} is the complete new set of files). */
        boolean publishes() {
            return publish != null;
        }

        /** Whether some file has not settled yet, so the watcher must look again at {@link #nextLookNanos}. */
        boolean pending() {
            return nextLookNanos != NO_LOOK;
        }
    }

    static final long NO_LOOK = Long.MIN_VALUE;

    /** A file whose content differs from what was published: what it read last, since when, and how long it must stay. */
    private static final class Pending {
        FileRead content;
        long since;
        long requiredNanos;
        /** Whether {@link #content} looks half-written, so that it must stay untouched as well as the same. */
        boolean suspect;
        final long firstChange;
        boolean reportedChanging;

        Pending(FileRead content, long now) {
            this.content = content;
            this.since = now;
            this.firstChange = now;
        }
    }

    private final long settleNanos;
    private final long suspectSettleNanos;
    private final long keepsChangingNanos;
    /** What was published last, by file; a file missing here contributed nothing. */
    private final SortedMap<Path, FileRead> published;
    private final Map<Path, Pending> pending = new HashMap<>();
    private final BiPredicate<Path, FileRead> parses;

    /**
     * @param settle how long a file's new content must stay the same before it is published
     * @param suspectSettle the same for content that looks half-written: emptied, or not parsing
     * @param keepsChanging after how long a file that never settles is reported (once per such period)
     * @param published what was published at start
     * @param parses whether a file's bytes parse (asked once per new content, not at every look)
     */
    ChangeSettler(Duration settle, Duration suspectSettle, Duration keepsChanging, SortedMap<Path, FileRead> published,
            BiPredicate<Path, FileRead> parses) {
        if (settle.isZero() || settle.isNegative() || suspectSettle.compareTo(settle) < 0) {
            throw new IllegalArgumentException("settle must be positive and suspectSettle at least settle");
        }
        this.settleNanos = settle.toNanos();
        this.suspectSettleNanos = suspectSettle.toNanos();
        this.parses = parses;
        this.keepsChangingNanos = keepsChanging.toNanos();
        this.published = new TreeMap<>(published);
    }

    /**
     * Takes what the files hold now (read at {@code now}) and says what may be published, and when to look again.
     */
    Decision observed(SortedMap<Path, FileRead> current, long now) {
        TreeSet<Path> paths = new TreeSet<>(published.keySet());
        paths.addAll(current.keySet());
        paths.addAll(pending.keySet());
        List<Path> settled = new ArrayList<>();
        List<Path> keepChanging = new ArrayList<>();
        long nextLook = NO_LOOK;
        for (Path path : paths) {
            FileRead content = current.get(path); // null: the file is gone
            if (Objects.equals(content, published.get(path))) {
                pending.remove(path); // back to what was published (or never changed): nothing to do
                continue;
            }
            Pending change = pending.get(path);
            if (change == null) {
                change = new Pending(content, now);
                judge(change, path);
                pending.put(path, change);
            } else if (!Objects.equals(change.content, content)) {
                change.content = content; // still being written: the interval starts again
                change.since = now;
                judge(change, path);
            } else if (change.suspect && content.writtenSince(change.content)) {
                change.content = content; // the same bytes written again: still suspect, and its interval starts again
                change.since = now;
            }
            long due = change.since + change.requiredNanos;
            if (now - due >= 0) {
                settled.add(path);
                continue;
            }
            if (!change.reportedChanging && now - change.firstChange >= keepsChangingNanos) {
                change.reportedChanging = true;
                keepChanging.add(path);
            }
            // Look again within a settle interval (to notice further writes early), and no later than it is due.
            long look = Math.min(now + settleNanos, due);
            nextLook = nextLook == NO_LOOK || look - nextLook < 0 ? look : nextLook;
        }
        if (settled.isEmpty()) {
            return new Decision(null, List.of(), keepChanging, nextLook);
        }
        List<Path> emptied = new ArrayList<>();
        for (Path path : settled) {
            FileRead content = pending.remove(path).content;
            if (content == null) {
                published.remove(path);
            } else {
                if (becameEmpty(path, content)) {
                    emptied.add(path);
                }
                published.put(path, content);
            }
        }
        return new Decision(new TreeMap<>(published), emptied, keepChanging, nextLook);
    }

    /** Decides whether the pending content looks half-written, and so how long it must stay. */
    private void judge(Pending change, Path path) {
        FileRead content = change.content;
        change.suspect = content != null && content.bytes() != null
                && (becameEmpty(path, content) || !parses.test(path, content));
        change.requiredNanos = change.suspect ? suspectSettleNanos : settleNanos;
    }

    private boolean becameEmpty(Path path, FileRead content) {
        FileRead before = published.get(path);
        return content.blank() && before != null && before.bytes() != null && !before.blank();
    }
}
