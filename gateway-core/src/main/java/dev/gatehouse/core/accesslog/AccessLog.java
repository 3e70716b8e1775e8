package dev.gatehouse.core.accesslog;

import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.core.Version;
import dev.gatehouse.core.config.AccessLogConfig;
import dev.gatehouse.core.config.AccessLogFiltersConfig;
import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.observe.RequestRecord;
import dev.gatehouse.core.otel.OtlpLogs;
import io.opentelemetry.api.common.AttributeKey;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log ({@code accessLog}): one line per request, formatted and written by a thread of its own.
 * The request path only offers the completed record to a bounded queue; when the writer falls behind
 * (a slow disk), entries are dropped and counted instead of slowing traffic. {@link #reopen()} (on SIGUSR1)
 * reopens the file after a rotation.
 */
public final class AccessLog implements Consumer<RequestRecord>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    private static final int OUTPUT_BUFFER = 64 * 1024;
    /** How long the writer naps when the queue is empty while requests are coming. */
    private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Empty naps in a row (about 100 ms) after which the writer waits on the queue instead. */
    private static final int IDLE_POLLS_BEFORE_WAITING = 50;

    private final Path file;
    private final AccessLogFormat format;
    private final int[][] statusRanges;
    private final boolean keepRetried;
    private final long minDurationNanos;
    private final BlockingQueue<RequestRecord> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    /** {@code accessLog.otlp}: each line also goes out as a log record; null when not configured. */
    private final OtlpLogs otlp;
    /** Whether lines go to the file or standard output: without OTLP, or with {@code dualOutput}, as in Traefik. */
    private final boolean writes;
    private volatile boolean reopen;
    private volatile boolean closed;
    private OutputStream out;

    /**
     * @param file the log file (resolved), or null for standard output
     */
    public AccessLog(AccessLogConfig config, Path file) throws IOException, ConfigurationException {
        this.file = file;
        this.format = AccessLogFormat.of(config.formatOrDefault(), config.fieldsOrDefault());
        AccessLogFiltersConfig filters = config.filtersOrDefault();
        this.statusRanges = filters.statusCodes().stream().map(AccessLog::range).toArray(int[][]::new);
        this.keepRetried = Boolean.TRUE.equals(filters.retryAttempts());
        this.minDurationNanos = filters.minDuration() == null ? 0 : filters.minDuration().toNanos();
        this.queue = new ArrayBlockingQueue<>(config.bufferingSizeOrDefault());
        this.otlp = config.otlp() == null ? null
                : OtlpLogs.start(config.otlp(), Version.get(), "accessLog.otlp", "gatehouse-accesslog");
        this.writes = otlp == null || Boolean.TRUE.equals(config.dualOutput());
        this.out = open();
        writer = new Thread(this::drain, "gatehouse-accesslog");
        writer.setDaemon(true);
        writer.start();
    }

    private static int[] range(String text) {
        String[] bounds = text.strip().split("-");
        int low = Integer.parseInt(bounds[0]);
        return new int[] {low, bounds.length > 1 ? Integer.parseInt(bounds[1]) : low};
    }

    private OutputStream open() throws IOException {
        // Buffered, and flushed once per batch: one write system call per batch of lines, not one per line.
        if (file == null) {
            return new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out), OUTPUT_BUFFER);
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        return new BufferedOutputStream(new FileOutputStream(file.toFile(), true), OUTPUT_BUFFER);
    }

    /** Queues a completed request for writing, if the filters keep it; never blocks. */
    @Override
    public void accept(RequestRecord record) {
        if (!record.accessLogs() || !keep(record)) {
            return;
        }
        if (!queue.offer(record)) {
            dropped.incrementAndGet();
        }
    }

    /** Traefik's rule: with no filter everything is kept; with filters, a request is kept when any filter keeps it. */
    private boolean keep(RequestRecord entry) {
        if (statusRanges.length == 0 && !keepRetried && minDurationNanos == 0) {
            return true;
        }
        for (int[] range : statusRanges) {
            if (entry.status() >= range[0] && entry.status() <= range[1]) {
                return true;
            }
        }
        // retryAttempts keeps retried requests; the gateway does not retry yet, so it keeps none by itself.
        return minDurationNanos > 0 && entry.durationNanos() > minDurationNanos;
    }

    /** Reopens the file on the writer thread, after a rotation moved it away (SIGUSR1). */
    public void reopen() {
        reopen = true;
    }

    /** Lines dropped because the writer fell behind. */
    public long dropped() {
        return dropped.get();
    }

    private void drain() {
        StringBuilder line = new StringBuilder(256);
        List<RequestRecord> batch = new ArrayList<>();
        int idlePolls = 0;
        while (!closed || !queue.isEmpty()) {
            try {
                // While requests keep coming the writer naps between batches instead of waiting on the queue: a
                // request that finds the writer waiting must wake it (a futex call and a context switch per
                // request under load). After a quiet spell it waits on the queue again, so an idle gateway
                // does not wake up every few milliseconds.
                RequestRecord first = queue.poll();
                if (first == null) {
                    if (idlePolls < IDLE_POLLS_BEFORE_WAITING) {
                        idlePolls++;
                        LockSupport.parkNanos(NAP_NANOS);
                    } else {
                        first = queue.poll(200, TimeUnit.MILLISECONDS);
                    }
                }
                if (reopen) {
                    reopenNow();
                }
                if (first == null) {
                    continue;
                }
                idlePolls = 0;
                batch.add(first);
                queue.drainTo(batch, 256);
                for (RequestRecord entry : batch) {
                    line.setLength(0);
                    format.append(line, entry);
                    if (otlp != null) {
                        emit(entry, line.toString());
                    }
                    if (writes) {
                        line.append('\n');
                        out.write(line.toString().getBytes(StandardCharsets.UTF_8));
                    }
                }
                out.flush();
                batch.clear();
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Access log {}: {}", file == null ? "stdout" : file, FailureReasons.of(e));
                batch.clear();
            }
        }
    }

    private void reopenNow() {
        reopen = false;
        if (file == null) {
            return;
        }
        try {
            OutputStream previous = out;
            out = open();
            previous.close();
            LOG.info("Access log {} reopened", file);
        } catch (IOException e) {
            LOG.warn("Access log {} could not be reopened: {}", file, FailureReasons.of(e));
        }
    }

    /**
     * One access log line as a log record: the formatted line as its body, and the main fields as attributes under
     * Traefik's access log field names, so that a collector can index them.
     */
    private void emit(RequestRecord entry, String body) {
        var record = otlp.logger().logRecordBuilder()
                .setTimestamp(java.time.Instant.ofEpochMilli(entry.startMillis))
                .setSeverity(io.opentelemetry.api.logs.Severity.INFO)
                .setBody(body)
                .setAttribute(ENTRY_POINT_NAME, entry.entryPoint)
                .setAttribute(REQUEST_METHOD, entry.method)
                .setAttribute(REQUEST_PATH, entry.pathQuery)
                .setAttribute(REQUEST_HOST, String.valueOf(entry.host))
                .setAttribute(CLIENT_HOST, entry.clientHost)
                .setAttribute(DOWNSTREAM_STATUS, (long) entry.status())
                .setAttribute(DURATION, entry.durationNanos());
        if (entry.router() != null) {
            record.setAttribute(ROUTER_NAME, entry.router());
        }
        if (entry.service() != null) {
            record.setAttribute(SERVICE_NAME, entry.service());
        }
        record.emit();
    }

    private static final AttributeKey<String> ENTRY_POINT_NAME = AttributeKey.stringKey("entryPointName");
    private static final AttributeKey<String> REQUEST_METHOD = AttributeKey.stringKey("RequestMethod");
    private static final AttributeKey<String> REQUEST_PATH = AttributeKey.stringKey("RequestPath");
    private static final AttributeKey<String> REQUEST_HOST = AttributeKey.stringKey("RequestHost");
    private static final AttributeKey<String> CLIENT_HOST = AttributeKey.stringKey("ClientHost");
    private static final AttributeKey<Long> DOWNSTREAM_STATUS = AttributeKey.longKey("DownstreamStatus");
    private static final AttributeKey<Long> DURATION = AttributeKey.longKey("Duration");
    private static final AttributeKey<String> ROUTER_NAME = AttributeKey.stringKey("RouterName");
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("ServiceName");

    /** Writes what is queued and closes the file. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(5000);
            if (otlp != null) {
                otlp.close();
            }
            out.flush();
            if (file != null) {
                out.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("Closing the access log: {}", FailureReasons.of(e));
        }
    }
}
