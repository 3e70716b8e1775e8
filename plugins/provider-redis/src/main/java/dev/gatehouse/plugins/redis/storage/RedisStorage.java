package dev.gatehouse.plugins.redis.storage;

import dev.gatehouse.api.StorageBackend;
import dev.gatehouse.plugins.redis.RedisConnection;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared storage on Redis: each entry is the key {@code <rootKey>/<key>}; every write and deletion is made by a
 * Lua script that also publishes the key's name on the channel {@code <rootKey>/changes}, which is what a watch
 * listens to (so no {@code notify-keyspace-events} setting is needed); a lock is {@code SET <rootKey>/locks/<name>
 * <random token> NX PX <ttl>}, renewed at a third of its TTL and released by scripts that compare the token first
 * (so a holder whose lock expired never extends or deletes the next holder's).
 */
final class RedisStorage implements StorageBackend.Connected {

    private static final Logger LOG = LoggerFactory.getLogger(RedisStorage.class);
    static final String LOCKS = "locks/";
    private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final String PUT = "redis.call('SET', KEYS[1], ARGV[1]); redis.call('PUBLISH', ARGV[2], ARGV[3]); return 1";
    private static final String PUT_EXPIRING = "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4]); "
            + "redis.call('PUBLISH', ARGV[2], ARGV[3]); return 1";
    private static final String DELETE = "redis.call('DEL', KEYS[1]); redis.call('PUBLISH', ARGV[1], ARGV[2]); return 1";
    private static final String RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
    private static final String RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "return redis.call('DEL', KEYS[1]) else return 0 end";

    private final RedisConnection redis;
    /** {@code rootKey/}: the prefix of every key. */
    private final String root;
    private final String channel;
    private final ScheduledExecutorService renewals;
    /** Reads the values of changed keys off lettuce's event loop, in the order the changes were published. */
    private final ExecutorService events;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private StatefulRedisPubSubConnection<String, String> pubSub;
    private final List<PrefixWatch> watches = new java.util.concurrent.CopyOnWriteArrayList<>();

    RedisStorage(RedisConnection redis, String rootKey) {
        this.redis = redis;
        this.root = rootKey.endsWith("/") ? rootKey : rootKey + "/";
        this.channel = root + "changes";
        this.renewals = Executors.newSingleThreadScheduledExecutor(daemon("gatehouse-redis-storage-locks"));
        this.events = Executors.newSingleThreadExecutor(daemon("gatehouse-redis-storage-watch"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** The command connection, made at the first use (and again after a failed attempt): Redis may start later. */
    private synchronized RedisAsyncCommands<byte[], byte[]> commands() throws IOException {
        if (connection == null) {
            try {
                connection = redis.client().connect(ByteArrayCodec.INSTANCE, redis.uri());
            } catch (RuntimeException e) {
                throw new IOException("storage.redis: " + redis.describeFailure(e), e);
            }
        }
        // Asynchronous commands, waited for here: lettuce's synchronous proxy calls through reflection, which the
        // plugin's relocated copy of lettuce does not survive ("argument type mismatch").
        return connection.async();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private interface Command<T> {
        RedisFuture<T> send(RedisAsyncCommands<byte[], byte[]> commands);
    }

    private <T> T call(String what, Command<T> command) throws IOException {
        RedisAsyncCommands<byte[], byte[]> commands = commands();
        try {
            return command.send(commands).get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("storage.redis: interrupted while " + what);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("storage.redis: " + what + ": " + redis.describeFailure(e.getCause()), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("storage.redis: " + what + ": no answer from " + redis.description() + " within "
                    + COMMAND_TIMEOUT.toSeconds() + " s");
        } catch (RuntimeException e) {
            throw new IOException("storage.redis: " + what + ": " + redis.describeFailure(e), e);
        }
    }

    @Override
    public Optional<byte[]> get(String key) throws IOException {
        return Optional.ofNullable(call("reading " + key, c -> c.get(bytes(root + key))));
    }

    @Override
    public void put(String key, byte[] value) throws IOException {
        call("writing " + key, c -> c.eval(PUT, ScriptOutputType.INTEGER, new byte[][] {bytes(root + key)}, value,
                bytes(channel), bytes(key)));
    }

    /** SET with PX: Redis removes the entry by itself (without a message on the changes channel). */
    @Override
    public void put(String key, byte[] value, Duration ttl) throws IOException {
        call("writing " + key, c -> c.eval(PUT_EXPIRING, ScriptOutputType.INTEGER, new byte[][] {bytes(root + key)}, value,
                bytes(channel), bytes(key), bytes(Long.toString(Math.max(1, ttl.toMillis())))));
    }

    @Override
    public void delete(String key) throws IOException {
        call("deleting " + key, c -> c.eval(DELETE, ScriptOutputType.INTEGER, new byte[][] {bytes(root + key)},
                bytes(channel), bytes(key)));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        String pattern = glob(root + prefix) + "*";
        List<String> keys = new ArrayList<>();
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(500);
        KeyScanCursor<byte[]> cursor = call("listing " + prefix, c -> c.scan(args));
        while (true) {
            for (byte[] key : cursor.getKeys()) {
                keys.add(new String(key, StandardCharsets.UTF_8).substring(root.length()));
            }
            if (cursor.isFinished()) {
                break;
            }
            ScanCursor next = ScanCursor.of(cursor.getCursor());
            cursor = call("listing " + prefix, c -> c.scan(next, args));
        }
        keys.removeIf(key -> key.startsWith(LOCKS) && !prefix.startsWith(LOCKS));
        return keys.stream().distinct().sorted().toList();
    }

    /** {@code text} matched literally by SCAN's glob pattern. */
    private static String glob(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    @Override
    public Optional<Lock> tryLock(String name, Duration ttl) throws IOException {
        long millis = Math.max(1000, ttl.toMillis());
        byte[] key = bytes(root + LOCKS + name);
        byte[] token = bytes(UUID.randomUUID().toString());
        String taken = call("taking the lock " + name, c -> c.set(key, token, SetArgs.Builder.nx().px(millis)));
        if (!"OK".equals(taken)) {
            return Optional.empty();
        }
        ScheduledFuture<?> renewal = renewals.scheduleWithFixedDelay(() -> {
            try {
                Long renewed = call("renewing the lock " + name, c -> c.<Long>eval(RENEW, ScriptOutputType.INTEGER,
                        new byte[][] {key}, token, bytes(Long.toString(millis))));
                if (renewed == null || renewed == 0) {
                    LOG.warn("storage.redis: the lock {} expired before it was renewed; another gateway may take it", name);
                }
            } catch (IOException e) {
                LOG.warn("storage.redis: the lock {} may expire: {}", name, e.getMessage());
            }
        }, millis / 3, millis / 3, TimeUnit.MILLISECONDS);
        return Optional.of(() -> {
            renewal.cancel(false);
            call("releasing the lock " + name, c -> c.eval(RELEASE, ScriptOutputType.INTEGER, new byte[][] {key}, token));
        });
    }

    @Override
    public Optional<Watch> watch(String prefix, WatchListener listener) throws IOException {
        subscribe();
        PrefixWatch watch = new PrefixWatch(prefix, listener);
        watches.add(watch);
        return Optional.of(watch);
    }

    /** Subscribes to the changes channel once; after a reconnect, every watch reports its prefix's values again. */
    private synchronized void subscribe() throws IOException {
        if (pubSub != null) {
            return;
        }
        try {
            pubSub = redis.connectPubSub();
            pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String from, String key) {
                    events.execute(() -> changed(key));
                }
            });
            StatefulRedisPubSubConnection<String, String> subscribed = pubSub;
            redis.client().addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> reconnected, SocketAddress address) {
                    if (reconnected == subscribed) {
                        events.execute(RedisStorage.this::resync);
                    }
                }
            });
            // Asynchronously: lettuce's synchronous proxy calls through reflection, which the plugin's relocated
            // copy of lettuce does not survive.
            pubSub.async().subscribe(channel).get(SUBSCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            if (pubSub != null) {
                pubSub.closeAsync();
                pubSub = null;
            }
            throw new IOException("storage.redis: cannot watch the storage: " + redis.describeFailure(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("storage.redis: interrupted while subscribing");
        }
    }

    private void changed(String key) {
        byte[] value;
        try {
            value = get(key).orElse(null);
        } catch (IOException e) {
            LOG.debug("storage.redis: cannot read the changed entry {}: {}", key, e.getMessage());
            return;   // reported again by the resync that follows the reconnection
        }
        for (PrefixWatch watch : watches) {
            watch.report(key, value);
        }
    }

    /**
     * Changes published while the connection was down are lost: report every watched entry's value again, and as
     * deleted every entry reported before that is gone now (withdrawn meanwhile, or expired: an expiry sends no
     * message).
     */
    private void resync() {
        for (PrefixWatch watch : watches) {
            try {
                java.util.Set<String> present = new java.util.HashSet<>();
                for (String key : list(watch.prefix)) {
                    byte[] value = get(key).orElse(null);
                    if (value != null) {
                        present.add(key);
                    }
                    watch.report(key, value);
                }
                watch.reportGoneExcept(present);
            } catch (IOException e) {
                LOG.debug("storage.redis: cannot read {} after reconnecting: {}", watch.prefix, e.getMessage());
            }
        }
    }

    private final class PrefixWatch implements Watch {
        final String prefix;
        private final WatchListener listener;
        /** The entries reported with a value and not deleted since: what a resync must report gone if it is. */
        private final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();

        PrefixWatch(String prefix, WatchListener listener) {
            this.prefix = prefix;
            this.listener = listener;
        }

        void report(String key, byte[] value) {
            if (!key.startsWith(prefix)) {
                return;
            }
            if (value == null) {
                known.remove(key);
            } else {
                known.add(key);
            }
            try {
                listener.changed(key, value);
            } catch (RuntimeException e) {
                LOG.warn("storage.redis: a watcher of {} failed on {}: {}", prefix, key, e.toString());
            }
        }

        /** Reports as deleted every entry reported before and not in {@code present}. */
        void reportGoneExcept(java.util.Set<String> present) {
            for (String key : java.util.List.copyOf(known)) {
                if (!present.contains(key)) {
                    report(key, null);
                }
            }
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }

    @Override
    public synchronized void close() {
        renewals.shutdownNow();
        events.shutdownNow();
        if (pubSub != null) {
            pubSub.closeAsync();
        }
        if (connection != null) {
            connection.closeAsync();
        }
        redis.close();
    }
}
