package dev.gatehouse.plugins.file;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.api.Provider;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the folder of the configured file (or the configured folder and every folder below it) and, when
 * something changed, reads the files until their new content has settled (see {@link ChangeSettler}), then
 * publishes the new snapshot.
 *
 * <p>The folder is watched rather than the file because editors save by writing a new file and
 * renaming it over the old one, which replaces the inode a file watch would be attached to.
 */
final class FileWatcher implements Provider.Running {

    static final String THREAD_NAME = "gatehouse-provider-file";

    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);

    /** A file's new content is published once it has stayed the same for this long (see {@link ChangeSettler})... */
    static final Duration SETTLE = Duration.ofMillis(100);
    /**
     * ...or this long, when the new content looks half-written: the file had content and is now empty, or it does
     * not parse (a file truncated, or paused mid-write, by a slow writer).
     */
    static final Duration SUSPECT_SETTLE = Duration.ofSeconds(1);
    /** A file that has not settled for this long is reported (it is rewritten with new content continuously). */
    static final Duration KEEPS_CHANGING = Duration.ofSeconds(10);
    /** How often to look whether the watched folder still exists, or exists again. */
    private static final long CHECK_MILLIS = 1000;

    private final DynamicFiles files;
    /** Set by {@link #start}, before the thread starts; used by the thread only. */
    private ChangeSettler settler;
    private final SnapshotPublisher publisher;
    private final Path root;
    private final Path file;
    private final WatchService watchService;
    private final Map<WatchKey, Path> keys = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;
    private boolean rootWatched;

    /**
     * @param root the folder to watch: the configured directory, or the configured file's parent
     * @param file the configured file, or null in directory mode
     */
    private FileWatcher(DynamicFiles files, SnapshotPublisher publisher, Path root, Path file, WatchService watchService) {
        this.files = files;
        this.publisher = publisher;
        this.root = root;
        this.file = file;
        this.watchService = watchService;
        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    /**
     * Registers the folders now, before the first read, so that no change between that read and the
     * start of the thread is missed. Call {@link #start} after the first snapshot is published.
     */
    static FileWatcher register(DynamicFiles files, SnapshotPublisher publisher, Path root, Path file) throws IOException {
        WatchService watchService = root.getFileSystem().newWatchService();
        FileWatcher watcher = new FileWatcher(files, publisher, root, file, watchService);
        try {
            watcher.registerRoot();
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        return watcher;
    }

    /** Starts watching; {@code published} is what the first snapshot was made of. */
    void start(SortedMap<Path, DynamicFiles.FileRead> published) {
        settler = new ChangeSettler(SETTLE, SUSPECT_SETTLE, KEEPS_CHANGING, published, files::parses);
        thread.start();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        closed = true;
        publisher.close();
        watchService.close(); // wakes the thread out of poll() with ClosedWatchServiceException
        if (Thread.currentThread() != thread && thread.isAlive()) {
            thread.join(TimeUnit.SECONDS.toMillis(2));
            if (thread.isAlive()) {
                LOG.warn("Thread {} did not stop within 2 s; it publishes nothing more and ends after its current read",
                        THREAD_NAME);
            }
        }
    }

    private void run() {
        boolean looking = false; // a change was seen and not all files have settled since
        long nextLook = 0;
        long nextCheck = System.nanoTime();
        while (!closed) {
            try {
                long now = System.nanoTime();
                long timeoutMillis = CHECK_MILLIS;
                if (looking) {
                    // Rounded up, so as not to spin through the last fraction of a millisecond.
                    timeoutMillis = Math.max(0, (nextLook - now + 999_999) / 1_000_000);
                }
                WatchKey key = timeoutMillis == 0 ? watchService.poll()
                        : watchService.poll(timeoutMillis, TimeUnit.MILLISECONDS);
                boolean relevant = false;
                while (key != null) { // take everything already queued, then decide
                    relevant |= handle(key);
                    key = watchService.poll();
                }
                now = System.nanoTime();
                if (now - nextCheck >= 0) {
                    relevant |= checkRoot();
                    nextCheck = now + TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS);
                }
                if (relevant && !looking) {
                    // Look at once: the settler waits for the content to stay the same, and events that come
                    // while it waits change nothing (each look compares bytes, not events).
                    looking = true;
                    nextLook = now;
                }
                if (looking && now - nextLook >= 0) {
                    looking = false; // should the look fail, the next change starts another one (no retry loop)
                    ChangeSettler.Decision decision = look(now);
                    looking = decision.pending();
                    nextLook = decision.nextLookNanos();
                }
            } catch (ClosedWatchServiceException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | StackOverflowError e) {
                // One bad read must not end watching: the next change gets another chance.
                LOG.error("Unexpected failure while watching {}; watching goes on", root, e);
            }
        }
        LOG.debug("Stopped watching {}", root);
    }

    /** Reads the files, and publishes the ones that have settled. */
    private ChangeSettler.Decision look(long now) {
        if (!Files.isDirectory(root)) {
            // The folder went away: keep what was published; checkRoot() reports it and looks again when it is back.
            return new ChangeSettler.Decision(null, List.of(), List.of(), ChangeSettler.NO_LOOK);
        }
        ChangeSettler.Decision decision = settler.observed(files.observe(), now);
        for (Path changing : decision.keepChanging()) {
            LOG.warn("{} has been changing for {} s without settling: its new content is used once it stays the same for"
                    + " {} ms; until then its previous content is. Write it elsewhere and rename it over {} to replace it"
                    + " in one step", changing, KEEPS_CHANGING.toSeconds(), SETTLE.toMillis(), changing.getFileName());
        }
        if (decision.publishes()) {
            for (Path emptied : decision.emptied()) {
                LOG.warn("{} is empty now, and stayed empty for {} ms: what it defined (routers, services, middlewares"
                        + " ...) is removed. If this was an in-place rewrite, write the file elsewhere and rename it"
                        + " over {} instead", emptied, SUSPECT_SETTLE.toMillis(), emptied.getFileName());
            }
            if (publisher.publish(files.snapshot(decision.publish()))) {
                LOG.info("Published the configuration read from {}", file != null ? file : root);
            }
        } else if (!decision.pending()) {
            publisher.readAgainUnchanged();   // a folder back with the same files: readable again
        }
        return decision;
    }

    /** Drains one key's events; returns whether any of them may change the configuration. */
    private boolean handle(WatchKey key) {
        Path dir = keys.get(key);
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (dir == null) {
                continue; // a key cancelled meanwhile
            }
            if (event.kind() == OVERFLOW) {
                relevant = true; // events were lost: re-read everything
                continue;
            }
            Path name = (Path) event.context();
            relevant |= file != null ? concernsFile(name) : concernsDirectory(dir.resolve(name), event);
        }
        if (!key.reset()) { // the folder was deleted (or moved)
            Path gone = keys.remove(key);
            if (root.equals(gone)) {
                lostRoot();
            } else if (gone != null) {
                relevant = true; // a subfolder went away with its files
            }
        }
        return relevant;
    }

    private boolean concernsFile(Path name) {
        // A symbolic link (Kubernetes mounts a ConfigMap so) changes when its target's folder is swapped,
        // which is an event on another name: then any event in the folder is worth a look.
        return name.equals(file.getFileName()) || Files.isSymbolicLink(file);
    }

    private boolean concernsDirectory(Path child, WatchEvent<?> event) {
        String name = child.getFileName().toString();
        if (name.startsWith("..")) {
            return true; // Kubernetes' atomic writer swaps a "..data" link; the visible files point through it
        }
        if (DynamicFiles.isHidden(child)) {
            return false;
        }
        if (event.kind() == ENTRY_CREATE && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
            try {
                registerTree(child); // files may already be in it: the re-read finds them
            } catch (IOException e) {
                LOG.warn("Cannot watch new folder {}: {}", child, FailureReasons.of(e));
            }
            return true;
        }
        return DynamicFileParser.isDynamicFile(name) || keys.containsValue(child);
    }

    /** Notices the watched folder going away without an event, or coming back; returns whether to re-read. */
    private boolean checkRoot() {
        boolean exists = Files.isDirectory(root);
        if (rootWatched && !exists) {
            keys.keySet().forEach(WatchKey::cancel);
            keys.clear();
            lostRoot();
        } else if (!rootWatched && exists) {
            try {
                registerRoot();
                LOG.info("{} exists again; reading it", root);
                return true;
            } catch (IOException e) {
                LOG.warn("Cannot watch {} yet: {}", root, FailureReasons.of(e));
            }
        }
        return false;
    }

    private void lostRoot() {
        if (rootWatched) {
            rootWatched = false;
            LOG.warn("Watched folder {} disappeared; keeping the last configuration read from it until it comes back",
                    root);
            publisher.unavailable("the watched folder " + root + " disappeared: the configuration read from it before "
                    + "keeps serving; create the folder again (providers.file." + (file != null ? "filename" : "directory")
                    + ")");
        }
    }

    private void registerRoot() throws IOException {
        if (file != null) {
            keys.put(root.register(watchService, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY), root);
        } else {
            registerTree(root);
        }
        rootWatched = true;
    }

    /**
     * Watches {@code top} and the folders below it that the provider reads: hidden ones are skipped and
     * links to folders are not followed, as in {@link DynamicFiles#collect}. {@code top} itself may be a link.
     */
    private void registerTree(Path top) throws IOException {
        keys.put(top.register(watchService, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY), top);
        List<Path> subfolders = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(top)) {
            for (Path entry : entries) {
                if (!DynamicFiles.isHidden(entry) && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    subfolders.add(entry);
                }
            }
        }
        for (Path subfolder : subfolders) {
            try {
                registerTree(subfolder);
            } catch (IOException e) {
                // Deleted meanwhile, or not readable: the rest of the tree is still watched.
                LOG.warn("Cannot watch {}: {}", subfolder, FailureReasons.of(e));
            }
        }
    }
}
