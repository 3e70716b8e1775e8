package dev.gatehouse.plugins.file;

import static dev.gatehouse.plugins.file.FileProviderTest.YAML;
import static dev.gatehouse.plugins.file.FileProviderTest.YAML_TREE;
import static dev.gatehouse.plugins.file.FileProviderTest.fragment;
import static dev.gatehouse.plugins.file.FileProviderTest.origins;
import static dev.gatehouse.plugins.file.FileProviderTest.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.Provider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Changes on disk reach ProviderContext.publish within 2 s, as complete snapshots. */
class FileProviderWatchTest {

    private static final Duration QUIET = Duration.ofMillis(500);

    @TempDir
    Path dir;

    private final RecordingContext context = new RecordingContext();
    private Provider.Running running;

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private ConfigurationSnapshot start(String filename, String directory) throws Exception {
        running = new FileProvider(new TestEnvironment(dir)).start(new FileProviderConfig(filename, directory, true), context);
        return context.next();
    }

    private static String router(String name) {
        return "http:\n  routers:\n    " + name + ":\n      rule: Path(`/" + name + "`)\n      service: s\n";
    }

    private static Map<String, Object> routerTree(String name) {
        return Map.of("http", Map.of("routers", Map.of(name, Map.of("rule", "Path(`/" + name + "`)", "service", "s"))));
    }

    /** Writes elsewhere and renames over the file, as vim, IntelliJ and Kubernetes do. */
    private static void replace(Path file, String content) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void editingAFileInPlacePublishesANewSnapshot() throws Exception {
        Path file = write(dir.resolve("app.yml"), router("a"));
        assertEquals(routerTree("a"), start("app.yml", null).fragments().get(0).content());

        Files.writeString(file, router("b"));

        assertEquals(ConfigurationSnapshot.of(ConfigurationFragment.of(file.toString(), routerTree("b"))), context.next());
    }

    /** {@code cat > file}: truncates the file, then writes {@code content} a moment later. */
    private static void rewriteInPlace(Path file, String content, long pauseMillis) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            Thread.sleep(pauseMillis);
            channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void aFileTruncatedAndWrittenLaterIsNotPublishedEmptyMeanwhile() throws Exception {
        Path file = write(dir.resolve("conf/app.yml"), router("a"));
        start(null, "conf");

        // `slow-generator > app.yml`: the shell truncates at once, the program writes 300 ms later.
        Files.write(file, new byte[0]);
        Thread.sleep(300);
        Files.writeString(file, router("b"));

        assertEquals(List.of(ConfigurationFragment.of(file.toString(), routerTree("b"))), context.next().fragments(),
                "the next snapshot is the new content, not the empty file in between");
    }

    @Test
    void aFileRewrittenInPlaceContinuouslyIsNeverPublishedEmptyAndNotStarved() throws Exception {
        Path file = write(dir.resolve("conf/app.yml"), router("a"));
        start(null, "conf");

        // 20 times a second for 1.5 s, as in the issue, each write leaving the file empty for 20 ms; the content
        // alternates, so it never settles until the writer stops. (Half-written files: ChangeSettlerTest.)
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        for (int i = 0; i < 30 && System.nanoTime() < end; i++) {
            rewriteInPlace(file, router(i % 2 == 0 ? "a" : "b"), 20);
            Thread.sleep(30);
        }
        rewriteInPlace(file, router("c"), 20);

        Set<Map<String, Object>> whole = Set.of(routerTree("a"), routerTree("b"), routerTree("c"));
        ConfigurationSnapshot snapshot;
        do {
            snapshot = context.next();
            ConfigurationFragment fragment = snapshot.fragments().get(0);
            assertTrue(whole.contains(fragment.content()) && fragment.errors().isEmpty(),
                    "only whole versions of the file are published: " + fragment);
            // (A version may be published while the writer runs, if two looks happen to read the same one.)
        } while (!snapshot.fragments().get(0).content().equals(routerTree("c")));
    }

    @Test
    void aFileThatStaysEmptyIsAppliedWithAWarningNamingIt() throws Exception {
        Path file = write(dir.resolve("conf/app.yml"), router("a"));
        start(null, "conf");
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() == Level.WARNING) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(FileWatcher.class.getName());
        logger.addHandler(handler);
        try {
            long emptied = System.nanoTime();
            Files.write(file, new byte[0]);

            assertEquals(List.of(ConfigurationFragment.of(file.toString(), Map.of())), context.next(Duration.ofSeconds(3))
                    .fragments(), "an empty file that stays empty is applied");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - emptied);
            assertTrue(millis >= FileWatcher.SUSPECT_SETTLE.toMillis(), "applied after " + millis + " ms");
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith(file + " is empty now, and stayed empty for 1000 ms: what it defined"
                    + " (routers, services, middlewares ...) is removed."), warnings.get(0));
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void replacingAFileByRenamePublishesANewSnapshot() throws Exception {
        Path file = write(dir.resolve("app.yml"), router("a"));
        start("app.yml", null);

        replace(file, router("b"));
        assertEquals(routerTree("b"), context.next().fragments().get(0).content());

        replace(file, router("c"));
        assertEquals(routerTree("c"), context.next().fragments().get(0).content());
    }

    @Test
    void replacingAFileInADirectoryPublishesANewSnapshot() throws Exception {
        Path file = write(dir.resolve("conf/app.yml"), router("a"));
        start(null, "conf");

        replace(file, router("b"));

        assertEquals(List.of(ConfigurationFragment.of(file.toString(), routerTree("b"))), context.next().fragments());
    }

    @Test
    void otherFilesInTheFilesFolderAreIgnored() throws Exception {
        write(dir.resolve("app.yml"), router("a"));
        start("app.yml", null);

        write(dir.resolve("other.yml"), router("b"));
        Files.writeString(dir.resolve("app.yml.swp"), "x");

        context.assertNothingWithin(QUIET);
    }

    @Test
    void writingTheSameBytesAgainPublishesNothing() throws Exception {
        Path file = write(dir.resolve("conf/app.yml"), router("a"));
        start(null, "conf");

        Files.writeString(file, router("a"));

        context.assertNothingWithin(QUIET);
    }

    @Test
    void syntaxErrorKeepsTheLastGoodContentWhileOtherFilesStillChange() throws Exception {
        Path broken = write(dir.resolve("conf/broken.yml"), router("a"));
        Path other = write(dir.resolve("conf/other.yml"), router("o1"));
        start(null, "conf");

        Files.writeString(broken, "http:\n  routers:\n    a:\n      rule: x\n     service: y\n");
        // Reported once it stayed broken for FileWatcher.SUSPECT_SETTLE: a writer may have paused mid-file.
        ConfigurationFragment fragment = fragment(context.next(Duration.ofSeconds(3)), broken);
        assertEquals(routerTree("a"), fragment.content(), "the last good version keeps serving");
        assertEquals(List.of(broken + ": YAML error at line 5, column 6: while parsing a block mapping; expected <block end>,"
                + " but found '<block mapping start>'. Its last good version is used until it is fixed."), fragment.errors());

        Files.writeString(other, router("o2"));
        ConfigurationSnapshot snapshot = context.next();
        assertEquals(routerTree("o2"), fragment(snapshot, other).content());
        assertEquals(fragment, fragment(snapshot, broken), "still broken, still its last good version");

        Files.writeString(broken, router("a2"));
        assertEquals(ConfigurationFragment.of(broken.toString(), routerTree("a2")), fragment(context.next(), broken));
    }

    @Test
    void addingAndDeletingFilesAndFoldersPublishesNewSnapshots() throws Exception {
        Path first = write(dir.resolve("conf/first.yml"), router("a"));
        start(null, "conf");

        Path second = write(dir.resolve("conf/second.toml"), "[http.routers.b]\nrule = \"Path(`/b`)\"\nservice = \"s\"\n");
        ConfigurationSnapshot snapshot = context.next();
        assertEquals(List.of(first.toString(), second.toString()), origins(snapshot));
        assertEquals(routerTree("b"), fragment(snapshot, second).content());

        // A folder made after start is watched too, with whatever it already holds.
        Path nested = dir.resolve("conf/team/a/b");
        Files.createDirectories(nested);
        Path third = write(nested.resolve("third.yaml"), router("c"));
        assertEquals(List.of(first.toString(), second.toString(), third.toString()), origins(awaitFragments(3)));
        Files.writeString(third, router("c2"));
        assertEquals(routerTree("c2"), fragment(context.next(), third).content());

        Files.delete(second);
        assertEquals(List.of(first.toString(), third.toString()), origins(context.next()));

        deleteTree(dir.resolve("conf/team"));
        assertEquals(List.of(first.toString()), origins(context.next()));
    }

    /** The next snapshot with {@code count} fragments: creating a folder and then a file in it may take two reads. */
    private ConfigurationSnapshot awaitFragments(int count) throws InterruptedException {
        ConfigurationSnapshot snapshot = context.next();
        return snapshot.fragments().size() == count ? snapshot : context.next();
    }

    @Test
    void deletingTheFileKeepsItsLastGoodContentWithAnErrorUntilItComesBack() throws Exception {
        Path file = write(dir.resolve("app.yml"), router("a"));
        start("app.yml", null);

        Files.delete(file);
        ConfigurationFragment fragment = context.next().fragments().get(0);
        assertEquals(routerTree("a"), fragment.content());
        assertEquals(List.of(file + ": does not exist. Its last good version is used until it is fixed."), fragment.errors());

        write(file, router("b"));
        assertEquals(ConfigurationSnapshot.of(ConfigurationFragment.of(file.toString(), routerTree("b"))), context.next());
    }

    @Test
    void aVanishedFolderKeepsTheLastSnapshotAndIsReadAgainWhenItReturns() throws Exception {
        Path conf = dir.resolve("conf");
        write(conf.resolve("app.yml"), YAML);
        start(null, "conf");

        deleteTree(conf);
        context.assertNothingWithin(Duration.ofMillis(1500));
        assertEquals(List.of("the watched folder " + conf.toAbsolutePath().normalize() + " disappeared: the "
                + "configuration read from it before keeps serving; create the folder again (providers.file.directory)"),
                context.problems, "reported once, for the provider's health");

        Path file = write(conf.resolve("app.yml"), router("back"));
        assertEquals(ConfigurationSnapshot.of(ConfigurationFragment.of(file.toString(), routerTree("back"))),
                context.next(Duration.ofSeconds(4)));
    }

    @Test
    void aDirectoryGivenThroughASymbolicLinkIsWatched() throws Exception {
        Path file = write(dir.resolve("real/sub/app.yml"), router("a"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
        start(null, "link");

        Files.writeString(file, router("b"));

        assertEquals(routerTree("b"), context.next().fragments().get(0).content());
    }

    @Test
    void closeStopsTheWatchThreadAndNothingIsPublishedAfterwards() throws Exception {
        Path file = write(dir.resolve("conf/app.yml"), YAML);
        assertEquals(YAML_TREE, start(null, "conf").fragments().get(0).content());
        Files.writeString(file, router("a"));
        context.next();
        Thread watcher = context.lastPublisher();
        assertEquals(FileWatcher.THREAD_NAME, watcher.getName());
        assertTrue(watcher.isDaemon());

        running.close();
        running = null;

        assertFalse(watcher.isAlive(), "close() returns once the thread has ended");
        Files.writeString(file, router("b"));
        context.assertNothingWithin(QUIET);
    }

    @Test
    void withoutWatchNoThreadIsStarted() throws Exception {
        Path file = write(dir.resolve("app.yml"), router("a"));
        running = new FileProvider(new TestEnvironment(dir)).start(new FileProviderConfig("app.yml", null, false), context);
        context.next();
        assertEquals(Thread.currentThread(), context.lastPublisher(), "the first snapshot is published by start()");

        Files.writeString(file, router("b"));
        context.assertNothingWithin(QUIET);
    }

    private static void deleteTree(Path top) throws IOException {
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
