package dev.gatehouse.core.logging;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * {@code log.filePath} with Traefik's rotation ({@code log.maxSize}, {@code maxBackups}, {@code maxAge},
 * {@code compress}), which Traefik gets from the lumberjack library; this keeps lumberjack's file names so tools
 * written for Traefik's rotated logs find them: before a write would take the file past {@code maxSize} megabytes,
 * {@code gatehouse.log} is renamed to {@code gatehouse-2026-12-07T01-30-00.123.log} (UTC) and a new file is
 * started. Then, off the writing thread, backups beyond {@code maxBackups} (newest kept) and backups older than
 * {@code maxAge} days (by the time in their name) are deleted, and the others are gzipped to {@code .log.gz}:
 * Traefik always compresses (its documentation: "this field has no effect"), so {@code compress} changes nothing.
 * Zero means no limit, as in lumberjack; {@code maxSize} 0 means 100 MB.
 */
final class RotatingLogFile extends OutputStream {

    static final int DEFAULT_MAX_SIZE_MB = 100;
    private static final long MEGABYTE = 1024L * 1024L;
    private static final DateTimeFormatter BACKUP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSS");
    private static final String GZIP_SUFFIX = ".gz";
    /** One thread for all files: deletions and compressions are rare and must not overlap for one file. */
    private static final ExecutorService MILL = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "gatehouse-log-rotation");
        thread.setDaemon(true);
        return thread;
    });

    private final Path file;
    private final long maxBytes;
    private final int maxBackups;
    private final int maxAgeDays;
    private final Clock clock;
    private final String prefix;
    private final String extension;
    private OutputStream out;
    private long size;

    RotatingLogFile(Path file, int maxSizeMb, int maxBackups, int maxAgeDays, Clock clock)
            throws IOException {
        this.file = file;
        this.maxBytes = (maxSizeMb == 0 ? DEFAULT_MAX_SIZE_MB : maxSizeMb) * MEGABYTE;
        this.maxBackups = maxBackups;
        this.maxAgeDays = maxAgeDays;
        this.clock = clock;
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        this.prefix = (dot < 0 ? name : name.substring(0, dot)) + "-";
        this.extension = dot < 0 ? "" : name.substring(dot);
        open();
        scheduleMill();
    }

    private void open() throws IOException {
        out = new FileOutputStream(file.toFile(), true);
        size = Files.size(file);
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        // A write larger than the limit on its own goes to a fresh file rather than being refused (lumberjack
        // refuses it, which would lose a log record).
        if (size > 0 && size + length > maxBytes) {
            rotate();
        }
        out.write(bytes, offset, length);
        size += length;
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    private void rotate() throws IOException {
        out.close();
        String time = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).format(BACKUP_TIME);
        Path backup = file.resolveSibling(prefix + time + extension);
        try {
            Files.move(file, backup, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // Go on writing into the same file rather than lose the log; try again after another maxSize.
            System.err.println("gatehouse: cannot rotate the log file " + file + " (to " + backup.getFileName()
                    + "): " + e + "; writing on into it");
            out = new FileOutputStream(file.toFile(), true);
            size = 0;
            return;
        }
        open();
        scheduleMill();
    }

    private void scheduleMill() {
        MILL.execute(() -> {
            try {
                mill();
            } catch (IOException | RuntimeException e) {
                // The log is the thing failing here: standard error is the only place left to say it.
                System.err.println("gatehouse: cannot clean up the rotated logs of " + file + ": " + e);
            }
        });
    }

    /** Deletes the backups beyond maxBackups or older than maxAge, then gzips the rest. */
    private void mill() throws IOException {
        record Backup(Path path, Instant time) {
        }
        List<Backup> backups = new ArrayList<>();
        Path directory = file.toAbsolutePath().getParent();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, prefix + "*")) {
            for (Path entry : entries) {
                Instant time = backupTime(entry.getFileName().toString());
                if (time != null && Files.isRegularFile(entry)) {
                    backups.add(new Backup(entry, time));
                }
            }
        }
        backups.sort(Comparator.comparing(Backup::time).reversed());
        Instant cutoff = clock.instant().minus(Duration.ofDays(maxAgeDays));
        List<Backup> kept = new ArrayList<>();
        for (Backup backup : backups) {
            boolean tooMany = maxBackups > 0 && kept.size() >= maxBackups;
            boolean tooOld = maxAgeDays > 0 && backup.time().isBefore(cutoff);
            if (tooMany || tooOld) {
                Files.deleteIfExists(backup.path());
            } else {
                kept.add(backup);
            }
        }
        for (Backup backup : kept) {
            if (!backup.path().getFileName().toString().endsWith(GZIP_SUFFIX)) {
                gzip(backup.path());
            }
        }
    }

    /** The time in a backup's name, or null when the name is not one of this file's backups. */
    private Instant backupTime(String name) {
        String rest = name.substring(prefix.length());
        if (rest.endsWith(GZIP_SUFFIX)) {
            rest = rest.substring(0, rest.length() - GZIP_SUFFIX.length());
        }
        if (!rest.endsWith(extension)) {
            return null;
        }
        try {
            return LocalDateTime.parse(rest.substring(0, rest.length() - extension.length()), BACKUP_TIME)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static void gzip(Path backup) throws IOException {
        Path target = backup.resolveSibling(backup.getFileName() + GZIP_SUFFIX);
        Path partial = backup.resolveSibling(backup.getFileName() + GZIP_SUFFIX + ".tmp");
        try (InputStream in = Files.newInputStream(backup);
                OutputStream gz = new GZIPOutputStream(Files.newOutputStream(partial))) {
            in.transferTo(gz);
        }
        // The archive is as readable as the log was (lumberjack does the same), not as the umask would make it.
        if (Files.getFileStore(backup).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(partial, Files.getPosixFilePermissions(backup));
        }
        // Renamed only when complete, so a .gz is never a truncated archive.
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(backup);
    }
}
