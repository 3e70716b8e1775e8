package dev.gatehouse.plugins.file;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.api.config.ConfigurationLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files one provider reads (a single file, or a folder read recursively), and what each parsed to
 * last. Reading is split in two, so that the watcher can wait for a file to settle before anything is parsed:
 * {@link #observe()} reads the bytes of every file, and {@link #snapshot} turns chosen bytes into a snapshot,
 * parsing only the files whose bytes changed and remembering the last version of each file that parsed, so a
 * broken edit keeps the old routes. {@link #read()} does both at once.
 *
 * <p>Not thread-safe: used by the thread that starts the provider, then by the watch thread only.
 */
final class DynamicFiles {

    private static final Logger LOG = LoggerFactory.getLogger(DynamicFiles.class);

    /** What a file held when it was last turned into a fragment. */
    private record Cached(FileRead read, ConfigurationFragment fragment, Map<String, Object> lastGood) {}

    /**
     * What reading one file gave at one moment: its bytes, or a sentence saying why it could not be read.
     * Two reads are equal when they gave the same bytes (or the same problem): that is how the watcher tells
     * a file that has settled from one still being written.
     *
     * <p>{@code modified} is the file's modification time as it was just before the bytes were read (null when
     * unknown). It is not part of equality: a writer that rewrites the same content continuously must still
     * settle. It tells the watcher whether content that looks half-written was written again between two looks
     * that read the same bytes (see {@link ChangeSettler}).
     */
    record FileRead(ByteBuffer bytes, String problem, FileTime modified) {

        static FileRead of(byte[] bytes) {
            return of(bytes, null);
        }

        static FileRead of(byte[] bytes, FileTime modified) {
            return new FileRead(ByteBuffer.wrap(bytes).asReadOnlyBuffer(), null, modified);
        }

        static FileRead failed(String problem) {
            return new FileRead(null, problem, null);
        }

        /** Whether both reads know the file's modification time, and it differs: the file was written in between. */
        boolean writtenSince(FileRead earlier) {
            return modified != null && earlier.modified != null && !modified.equals(earlier.modified);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof FileRead read && Objects.equals(bytes, read.bytes)
                    && Objects.equals(problem, read.problem);
        }

        @Override
        public int hashCode() {
            return Objects.hash(bytes, problem);
        }

        /** Whether the file was read and holds nothing but white space (an in-place rewrite just truncated it). */
        boolean blank() {
            if (bytes == null) {
                return false;
            }
            for (int i = bytes.position(); i < bytes.limit(); i++) {
                if (!Character.isWhitespace(bytes.get(i))) {
                    return false;
                }
            }
            return true;
        }

        private byte[] array() {
            byte[] copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
            return copy;
        }
    }

    private final Path file;
    private final Path directory;
    private final DynamicFileParser parser = new DynamicFileParser();
    private final Map<Path, Cached> cache = new HashMap<>();
    /**
     * The last content {@link #parses} parsed, with what it gave: the watcher asks whether a changed file parses
     * (to choose how long to wait for it to settle) and then, when it has settled, for the snapshot of the same
     * bytes. Kept so that those bytes are parsed once, not twice: parsing is most of what a change to a large
     * file costs the watch thread (10,000 routers: ~730 KB of YAML).
     */
    private ParsedContent lastParsed;

    /** The parse of one file's content. */
    private record ParsedContent(Path path, FileRead read, DynamicFileParser.Result result) {}

    private DynamicFiles(Path file, Path directory) {
        this.file = file;
        this.directory = directory;
    }

    static DynamicFiles ofFile(Path file) {
        return new DynamicFiles(file, null);
    }

    static DynamicFiles ofDirectory(Path directory) {
        return new DynamicFiles(null, directory);
    }

    /** The complete snapshot as the files are now: one fragment per file, in path order. */
    ConfigurationSnapshot read() {
        return snapshot(observe());
    }

    /** The bytes of every file as they are now, by path (in path order); nothing is parsed. */
    SortedMap<Path, FileRead> observe() {
        List<Path> files = new ArrayList<>();
        if (file != null) {
            files.add(file);
        } else {
            collect(directory, files);
        }
        SortedMap<Path, FileRead> reads = new TreeMap<>();
        for (Path path : files) {
            reads.put(path, readOne(path));
        }
        return reads;
    }

    private static FileRead readOne(Path path) {
        try {
            // Refused before it is read: a file of gigabytes would otherwise fill the heap on its way to the parser.
            // The time is taken before the bytes: a write between the two then shows at the next look as a new time.
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            String tooLarge = ConfigurationLimits.sizeProblem(attributes.size());
            if (tooLarge != null) {
                return FileRead.failed(path + ": " + tooLarge);
            }
            return FileRead.of(Files.readAllBytes(path), attributes.lastModifiedTime());
        } catch (NoSuchFileException e) {
            // Only in filename mode (a folder's listing holds files that exist), or a file deleted mid-read.
            return FileRead.failed(path + ": does not exist");
        } catch (IOException e) {
            // The exception's message names the file and what went wrong; its class is not for the user.
            return FileRead.failed(path + ": cannot be read ("
                    + (e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage()) + ")");
        }
    }

    /** Whether {@code read} holds bytes that parse as a dynamic file (nothing is remembered or logged). */
    boolean parses(Path path, FileRead read) {
        return read.bytes() != null && parse(path, read).parsed();
    }

    /** The parse of {@code read}, reusing the last one when it was of the same file and bytes. */
    private DynamicFileParser.Result parse(Path path, FileRead read) {
        ParsedContent last = lastParsed;
        if (last != null && last.path().equals(path) && last.read().equals(read)) {
            return last.result();
        }
        DynamicFileParser.Result result = parser.parse(path, read.array());
        lastParsed = new ParsedContent(path, read, result);
        return result;
    }

    /**
     * The snapshot made of these files' contents: one fragment per file, in path order. Only contents not seen
     * before are parsed; a file that does not parse (or cannot be read) keeps its last good version.
     */
    ConfigurationSnapshot snapshot(SortedMap<Path, FileRead> reads) {
        List<ConfigurationFragment> fragments = new ArrayList<>(reads.size());
        Map<Path, Cached> seen = new HashMap<>();
        reads.forEach((path, read) -> {
            Cached cached = fragmentOf(path, read);
            seen.put(path, cached);
            fragments.add(cached.fragment());
        });
        // A file that is gone is forgotten: if it comes back broken, it has no last good version.
        cache.keySet().retainAll(seen.keySet());
        cache.putAll(seen);
        return new ConfigurationSnapshot(fragments);
    }

    private Cached fragmentOf(Path path, FileRead read) {
        Cached previous = cache.get(path);
        Map<String, Object> lastGood = previous == null ? null : previous.lastGood();
        if (previous != null && previous.read().equals(read)) {
            return previous; // unchanged: parse only on change
        }
        if (read.problem() != null) {
            return unreadable(path, read, previous, lastGood);
        }
        DynamicFileParser.Result result = parse(path, read);
        lastParsed = null; // used: the snapshot holds it now
        if (result.parsed()) {
            result.errors().forEach(error -> LOG.warn("{}", error));
            return new Cached(read, new ConfigurationFragment(path.toString(), result.content(), result.errors()),
                    result.content());
        }
        List<String> errors = List.of(result.errors().get(0) + goTemplateHint(read.array()) + keptOrNothing(lastGood));
        LOG.warn("{}", errors.get(0));
        return new Cached(read, new ConfigurationFragment(path.toString(), lastGood, errors), lastGood);
    }

    private static Cached unreadable(Path path, FileRead read, Cached previous, Map<String, Object> lastGood) {
        String error = read.problem() + "." + keptOrNothing(lastGood);
        if (previous == null || !previous.fragment().errors().equals(List.of(error))) {
            LOG.warn("{}", error);
        }
        return new Cached(read, new ConfigurationFragment(path.toString(), lastGood, List.of(error)), lastGood);
    }

    /**
     * Traefik renders dynamic files as Go templates first; Gatehouse does not, so a file written for that fails to
     * parse at the first action. Says so instead of leaving the user with the parser's complaint alone.
     */
    private static String goTemplateHint(byte[] content) {
        return new String(content, StandardCharsets.ISO_8859_1).contains("{{")
                ? " The file has Go template actions ({{ ... }}): Gatehouse does not run templates in dynamic files;"
                        + " write the values out (see docs/differences-from-traefik.md)."
                : "";
    }

    private static String keptOrNothing(Map<String, Object> lastGood) {
        return lastGood == null
                ? " Nothing from this file is used until it is fixed."
                : " Its last good version is used until it is fixed.";
    }

    /** Dynamic files below {@code dir}, recursively, skipping hidden entries; sorted by path. */
    static void collect(Path dir, List<Path> into) {
        TreeSet<Path> entries = new TreeSet<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (IOException e) {
            // The folder vanished or cannot be listed: its files are simply not there.
            LOG.warn("Cannot list {}: {}", dir, FailureReasons.of(e));
            return;
        }
        for (Path entry : entries) {
            if (isHidden(entry)) {
                continue;
            }
            if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                collect(entry, into);
            } else if (DynamicFileParser.isDynamicFile(entry.getFileName().toString()) && Files.isRegularFile(entry)) {
                into.add(entry);
            }
        }
    }

    static boolean isHidden(Path entry) {
        return entry.getFileName().toString().startsWith(".");
    }
}
