package dev.gatehouse.core.dynamic;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.ConfigurationSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the gateway knows of each provider's health, for the API ({@code /api/providers}), the dashboard, the
 * metrics and the start log: whether it reads its source, the problem when it does not, when it last published
 * and how many elements it published. Fed by the providers' contexts ({@link ConfigurationWatcher#contextFor})
 * and by the start of the providers; read from any thread.
 */
public final class ProviderHealth {

    /** Where a provider stands. */
    public enum State {
        /** Started; nothing published and nothing reported yet. */
        STARTING,
        /** Its last word was a snapshot: it reads its source. */
        UP,
        /** It reported that it cannot read its source; what it published last (if anything) keeps serving. */
        DOWN,
        /** It could not start (an option that cannot work): it is left out until the gateway restarts. */
        FAILED;

        /** The name the API and the metrics use. */
        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One provider's health at one moment.
     *
     * @param provider the provider's name ({@code file}, {@code docker})
     * @param state where it stands
     * @param problem why it is down or failed, in a user's words; null when up or starting
     * @param since when it entered this state
     * @param lastPublished when it last published a snapshot (a successful read); null if never
     * @param published how many routers, services and middlewares its last snapshot holds (HTTP, TCP and UDP)
     */
    public record Status(String provider, State state, String problem, Instant since, Instant lastPublished,
            ElementCounts published) {

        /** Whether it reads its source now (what the {@code provider_up} gauge says). */
        public boolean up() {
            return state == State.UP;
        }
    }

    /** Elements in a snapshot, by kind, over its {@code http}, {@code tcp} and {@code udp} sections. */
    public record ElementCounts(int routers, int services, int middlewares) {

        public static final ElementCounts NONE = new ElementCounts(0, 0, 0);

        static ElementCounts of(ConfigurationSnapshot snapshot) {
            int routers = 0;
            int services = 0;
            int middlewares = 0;
            for (ConfigurationFragment fragment : snapshot.fragments()) {
                for (String protocol : List.of("http", "tcp", "udp")) {
                    if (fragment.content().get(protocol) instanceof Map<?, ?> section) {
                        routers += size(section.get("routers"));
                        services += size(section.get("services"));
                        middlewares += size(section.get("middlewares"));
                    }
                }
            }
            return new ElementCounts(routers, services, middlewares);
        }

        private static int size(Object elements) {
            return elements instanceof Map<?, ?> map ? map.size() : 0;
        }

        public int total() {
            return routers + services + middlewares;
        }
    }

    private final Clock clock;
    private final Map<String, Status> statuses = new LinkedHashMap<>();

    public ProviderHealth() {
        this(Clock.systemUTC());
    }

    /** @param clock the wall clock the times shown come from (a fixed one in tests) */
    public ProviderHealth(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** {@code provider} was started (or is about to publish, as the internal one). */
    public synchronized void starting(String provider) {
        statuses.putIfAbsent(provider, new Status(provider, State.STARTING, null, clock.instant(), null,
                ElementCounts.NONE));
    }

    /** {@code provider} published {@code snapshot}: it read its source. */
    public synchronized void published(String provider, ConfigurationSnapshot snapshot) {
        Instant now = clock.instant();
        Status before = statuses.get(provider);
        Instant since = before != null && before.state() == State.UP ? before.since() : now;
        statuses.put(provider, new Status(provider, State.UP, null, since, now, ElementCounts.of(snapshot)));
    }

    /** {@code provider} cannot read its source now; its last snapshot keeps serving. */
    public synchronized void unavailable(String provider, String problem) {
        Status before = statuses.get(provider);
        Instant now = clock.instant();
        boolean stillDown = before != null && before.state() == State.DOWN;
        statuses.put(provider, new Status(provider, State.DOWN, problem, stillDown ? before.since() : now,
                before == null ? null : before.lastPublished(), before == null ? ElementCounts.NONE : before.published()));
    }

    /** {@code provider} could not start and is left out. */
    public synchronized void failed(String provider, String problem) {
        statuses.put(provider, new Status(provider, State.FAILED, problem, clock.instant(), null, ElementCounts.NONE));
    }

    /** Every provider known, in the order they were started. */
    public synchronized List<Status> statuses() {
        return new ArrayList<>(statuses.values());
    }

    /** One provider's health, or null when it is not known. */
    public synchronized Status status(String provider) {
        return statuses.get(provider);
    }
}
