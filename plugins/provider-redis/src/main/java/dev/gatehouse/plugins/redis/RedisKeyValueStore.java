package dev.gatehouse.plugins.redis;

import dev.gatehouse.plugins.kv.KeyValueStore;
import dev.gatehouse.plugins.kv.StoreRead;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The provider's view of Redis: the keys under the prefix read with SCAN and MGET, changes followed through keyspace
 * notifications ({@code PSUBSCRIBE __keyspace@<db>__:<prefix>*}), a PING as probe.
 *
 * <p>Redis sends keyspace notifications only when {@code notify-keyspace-events} asks for them; without them the
 * provider would never see a change, so it checks the setting whenever it connects and refuses to go on without it
 * ({@link #notificationsProblem}).
 */
final class RedisKeyValueStore implements KeyValueStore, AutoCloseable {

    /** Keys read per SCAN step and per MGET. */
    private static final int BATCH = 1000;

    private final RedisConnection connection;
    private StatefulRedisConnection<String, String> commands;

    RedisKeyValueStore(RedisConnection connection) {
        this.connection = connection;
    }

    /**
     * Why the server's {@code notify-keyspace-events} ({@code flags}) does not send what the provider needs, or null
     * when it does: {@code K} (keyspace channels) and the events of writes, deletes and expiries ({@code A}, or
     * {@code g}, {@code $} and {@code x}).
     */
    static String notificationsProblem(String flags, String where) {
        String f = flags == null ? "" : flags;
        boolean keyspace = f.contains("K");
        boolean events = f.contains("A") || (f.contains("g") && f.contains("$") && f.contains("x"));
        if (keyspace && events) {
            return null;
        }
        return where + " does not send keyspace notifications (notify-keyspace-events is '" + f + "'), so changes "
                + "would never be seen: run CONFIG SET notify-keyspace-events KEA, or set notify-keyspace-events KEA "
                + "in redis.conf (on a managed Redis where CONFIG is not allowed, set it in the service's parameters)";
    }

    /** Connects (once) and checks the notification setting; throws with {@link #notificationsProblem} when it is off. */
    private synchronized RedisCommands<String, String> commands() {
        if (commands == null || !commands.isOpen()) {
            StatefulRedisConnection<String, String> opened = connection.connect();
            try {
                checkNotifications(opened.sync());
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            commands = opened;
        }
        return commands.sync();
    }

    private void checkNotifications(RedisCommands<String, String> sync) {
        Map<String, String> config;
        try {
            config = sync.configGet("notify-keyspace-events");
        } catch (io.lettuce.core.RedisCommandExecutionException e) {
            // A managed Redis may refuse CONFIG (unknown command, no permission): the setting cannot be checked here,
            // and the documentation says to set it in the service. Go on, and say so at DEBUG only, once per connect.
            String message = String.valueOf(e.getMessage()).toUpperCase(Locale.ROOT);
            if (message.contains("UNKNOWN COMMAND") || message.contains("NOPERM") || message.contains("UNKNOWN SUBCOMMAND")) {
                org.slf4j.LoggerFactory.getLogger(RedisKeyValueStore.class).debug(
                        "cannot check notify-keyspace-events on {}: {}", connection.description(), e.getMessage());
                return;
            }
            throw e;
        }
        String problem = notificationsProblem(config.get("notify-keyspace-events"), connection.description());
        if (problem != null) {
            throw new NotificationsOff(problem);
        }
    }

    /** Checks at start that Redis answers and sends notifications; returns quietly when it cannot be reached now. */
    void checkAtStart() {
        try {
            commands();
        } catch (NotificationsOff e) {
            throw new IllegalStateException("providers.redis: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Not reachable now: the provider's loop retries and reports it.
        }
    }

    @Override
    public StoreRead readAll(String prefix) throws StoreRead.LimitExceeded {
        RedisCommands<String, String> sync = commands();
        StoreRead read = new StoreRead(prefix);
        ScanArgs args = ScanArgs.Builder.matches(glob(prefix) + "*").limit(BATCH);
        KeyScanCursor<String> cursor = sync.scan(args);
        while (true) {
            readValues(cursor.getKeys(), read);
            if (cursor.isFinished() || read.complete()) {
                return read;
            }
            cursor = sync.scan(ScanCursor.of(cursor.getCursor()), args);
        }
    }

    /**
     * Reads the values of {@code keys} into {@code read}: their lengths first (STRLEN, pipelined), so that a value
     * too large is never transferred, then the others with MGET.
     */
    private void readValues(List<String> keys, StoreRead read) throws StoreRead.LimitExceeded {
        if (keys.isEmpty()) {
            return;
        }
        RedisAsyncCommands<String, String> async;
        synchronized (this) {
            async = commands.async();
        }
        List<RedisFuture<Long>> lengths = new ArrayList<>(keys.size());
        for (String key : keys) {
            lengths.add(async.strlen(key));
        }
        List<String> small = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            long length;
            try {
                length = lengths.get(i).get(RedisConnection.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (String.valueOf(e.getCause().getMessage()).startsWith("WRONGTYPE")) {
                    continue; // not a string (a hash someone else keeps here): skipped, as MGET skips it
                }
                throw new RedisException(e.getCause().getMessage(), e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new RedisException("no answer within " + RedisConnection.TIMEOUT.toSeconds() + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RedisException("interrupted", e);
            }
            if (read.fits(keys.get(i), length)) {
                small.add(keys.get(i));
            }
        }
        if (small.isEmpty()) {
            return;
        }
        for (KeyValue<String, String> kv : commands().mget(small.toArray(String[]::new))) {
            // A key deleted between SCAN and MGET is skipped. Its size was counted with its STRLEN.
            if (kv.hasValue()) {
                read.add(kv.getKey(), kv.getValue());
            }
        }
    }

    @Override
    public AutoCloseable watch(String prefix, Runnable changed, Consumer<Throwable> broken) {
        commands(); // checks the notification setting before relying on it
        StatefulRedisPubSubConnection<String, String> pubSub = connection.connectPubSub();
        java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
        // Lettuce reconnects and subscribes again by itself, but what was written meanwhile sent no notification:
        // a lost connection breaks the watch so the provider reads everything again once Redis is back.
        pubSub.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> handler) {
                if (closing.get()) {
                    return; // our own close, not an outage
                }
                broken.accept(new java.net.ConnectException("connection to " + connection.description() + " lost"));
            }
        });
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                changed.run();
            }
        });
        try {
            pubSub.sync().psubscribe("__keyspace@" + connection.db() + "__:" + glob(prefix) + "*");
        } catch (RuntimeException e) {
            closing.set(true);
            pubSub.close();
            throw e;
        }
        return () -> {
            closing.set(true);
            pubSub.close();
        };
    }

    @Override
    public void probe(String prefix) {
        commands().ping();
    }

    @Override
    public String describeFailure(Throwable failure) {
        if (failure instanceof NotificationsOff) {
            return failure.getMessage();
        }
        return connection.describeFailure(failure);
    }

    /** Drops the command connection: the next command connects afresh rather than on lettuce's reconnect schedule. */
    @Override
    public synchronized void reset() {
        if (commands != null) {
            commands.close();
            commands = null;
        }
    }

    @Override
    public synchronized void close() {
        if (commands != null) {
            commands.close();
        }
    }

    /** {@code prefix} as a literal in a Redis glob pattern. */
    static String glob(String prefix) {
        StringBuilder out = new StringBuilder();
        for (char c : prefix.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** The server does not send the keyspace notifications the provider relies on. */
    static final class NotificationsOff extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotificationsOff(String message) {
            super(message, null, false, false);
        }
    }
}
