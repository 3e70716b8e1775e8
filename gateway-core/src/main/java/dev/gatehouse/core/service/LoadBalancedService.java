package dev.gatehouse.core.service;

import dev.gatehouse.api.config.PassiveHealthCheckConfig;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.observe.RequestRecord;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code http.services.<name>.loadBalancer}: picks a healthy server, by smooth weighted round robin or by
 * power of two choices, and forwards to it; 503 when no server is healthy.
 *
 * <p>Health has two sources: active checks ({@link HealthChecker}) and passive ones: a server that refuses a
 * connection is left out for {@code passiveHealthCheck.failureWindow}, and the request, which never reached
 * it, goes to another server. The set of healthy servers is an immutable {@link Picker}, rebuilt (off the
 * request path, under a lock held only for the computation) whenever a server's health changes, so picking
 * stays lock-free and the round robin stays smooth over the healthy servers.
 */
public final class LoadBalancedService extends ServiceHandler {

    private static final Logger LOG = LoggerFactory.getLogger(LoadBalancedService.class);

    private final String name;
    private final Member[] members;
    private final List<UpstreamServer> servers;
    private final boolean p2c;
    private final boolean passHostHeader;
    private final StickyCookie sticky;
    private final UpstreamClient upstream;
    private final ScheduledExecutorService scheduler;
    private final long failureWindowMillis;
    private final int maxFailedAttempts;
    private volatile Picker picker;

    /**
     * @param strategy {@code wrr} or {@code p2c}
     * @param sticky the sticky cookie, or null
     * @param scheduler where passive health recoveries are scheduled
     */
    public LoadBalancedService(String name, List<UpstreamServer> servers, List<Integer> weights, boolean passHostHeader,
            String strategy, PassiveHealthCheckConfig passive, StickyCookie sticky, UpstreamClient upstream,
            ScheduledExecutorService scheduler) {
        if (!strategy.equals("wrr") && !strategy.equals("p2c")) {
            throw new IllegalArgumentException("loadBalancer.strategy must be wrr or p2c, not '" + strategy
                    + "' (hrw and leasttime are not supported yet)");
        }
        this.name = name;
        this.servers = List.copyOf(servers);
        this.members = new Member[servers.size()];
        for (int i = 0; i < members.length; i++) {
            members[i] = new Member(i, servers.get(i), weights.get(i) == null ? 1 : weights.get(i), sticky);
        }
        this.p2c = strategy.equals("p2c");
        this.passHostHeader = passHostHeader;
        this.sticky = sticky;
        this.upstream = upstream;
        this.scheduler = scheduler;
        this.failureWindowMillis = passive.failureWindowOrDefault().toMillis();
        this.maxFailedAttempts = passive.maxFailedAttemptsOrDefault();
        this.picker = new Picker(members);
    }

    /** Simple constructor: round robin, default passive health, no stickiness. */
    public LoadBalancedService(String name, List<UpstreamServer> servers, List<Integer> weights, boolean passHostHeader,
            UpstreamClient upstream) {
        this(name, servers, weights, passHostHeader, "wrr", PassiveHealthCheckConfig.DEFAULTS, null, upstream, null);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Member member = null;
        boolean writeCookie = false;
        if (sticky != null) {
            String value = sticky.valueIn(request);
            if (value != null) {
                member = byCookie(value);
            }
            if (member == null || !member.available()) {
                member = null;
                writeCookie = true;
            }
        }
        if (member == null) {
            member = pick(0L);
        }
        if (member == null) {
            ErrorResponses.serviceUnavailable(request, response, callback);
            return true;
        }
        if (writeCookie) {
            response.getHeaders().add(member.setCookie);
        }
        RequestRecord observed = RequestRecord.of(request);
        if (observed != null) {
            observed.service(name, member.server.url());
        }
        member.inFlight.incrementAndGet();
        upstream.forward(request, response, callback, member.server, passHostHeader, new Attempt(member, response));
        return true;
    }

    private Member byCookie(String value) {
        for (Member member : members) {
            if (member.cookieValue.equals(value)) {
                return member;
            }
        }
        return null;
    }

    /** A healthy server, skipping those in {@code excluded} (a bit per server index, for the first 64). */
    Member pick(long excluded) {
        Picker current = picker;
        Member[] healthy = current.healthy;
        if (healthy.length == 0) {
            return null;
        }
        if (p2c) {
            Member chosen;
            if (healthy.length == 1) {
                chosen = healthy[0];
            } else {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int a = random.nextInt(healthy.length);
                int b = random.nextInt(healthy.length - 1);
                if (b >= a) {
                    b++;
                }
                chosen = healthy[a].inFlight.get() <= healthy[b].inFlight.get() ? healthy[a] : healthy[b];
            }
            return isExcluded(chosen, excluded) ? firstNotExcluded(healthy, excluded) : chosen;
        }
        for (int tries = 0; tries < current.cycleLength; tries++) {
            Member member = current.wrr.next();
            if (member != null && !isExcluded(member, excluded)) {
                return member;
            }
        }
        return firstNotExcluded(healthy, excluded);
    }

    private static boolean isExcluded(Member member, long excluded) {
        return member.index < 64 && (excluded & (1L << member.index)) != 0;
    }

    private static Member firstNotExcluded(Member[] healthy, long excluded) {
        for (Member member : healthy) {
            if (!isExcluded(member, excluded)) {
                return member;
            }
        }
        return null;
    }

    @Override
    public boolean available() {
        return picker.healthy.length > 0;
    }

    @Override
    public UpstreamServer pickForCopy() {
        Member member = pick(0L);
        return member == null ? null : member.server;
    }

    @Override
    public String name() {
        return name;
    }

    public List<UpstreamServer> servers() {
        return servers;
    }

    /** Sets a server's active health (from its health check); the healthy set is rebuilt when it changes. */
    void setActiveHealth(int index, boolean healthy) {
        Member member = members[index];
        if (member.activeUp != healthy) {
            member.activeUp = healthy;
            LOG.info("Service {}: server {} is now {} (health check)", name, member.server.url(),
                    healthy ? "healthy" : "unhealthy");
            rebuild();
        }
    }

    /**
     * Whether the server at {@code index} is up: its health check (if any) passes and passive health has not
     * left it out. Unlike {@link #isHealthy(int)}, a server with weight 0 is up.
     */
    public boolean isUp(int index) {
        Member member = members[index];
        return member.activeUp && !member.passiveDown;
    }

    /** Whether the server at {@code index} gets traffic now. */
    public boolean isHealthy(int index) {
        return members[index].available();
    }

    private synchronized void rebuild() {
        picker = new Picker(members);
    }

    private void failed(Member member, Throwable failure) {
        if (maxFailedAttempts <= 0 || scheduler == null) {
            return;
        }
        boolean down = false;
        synchronized (member) {
            long now = System.nanoTime();
            if (member.failures == 0 || now - member.firstFailureNanos > TimeUnit.MILLISECONDS.toNanos(failureWindowMillis)) {
                member.failures = 0;
                member.firstFailureNanos = now;
            }
            member.failures++;
            if (member.failures >= maxFailedAttempts && !member.passiveDown) {
                member.failures = 0;
                member.passiveDown = true;
                down = true;
            }
        }
        if (!down) {
            return;
        }
        LOG.warn("Service {}: server {} left out for {} ms after a failure: {}", name, member.server.url(),
                failureWindowMillis, failure.toString());
        rebuild();
        try {
            scheduler.schedule(() -> {
                member.passiveDown = false;
                LOG.info("Service {}: server {} back in after its failure window", name, member.server.url());
                rebuild();
            }, failureWindowMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            member.passiveDown = false;   // the gateway is stopping
            rebuild();
        }
    }

    private static void succeeded(Member member) {
        if (member.failures != 0) {
            synchronized (member) {
                member.failures = 0;
            }
        }
    }

    @Override
    public String toString() {
        return "service " + name + " " + servers;
    }

    /** One forwarded request: counts it in flight on its server, and moves it when the server is unreachable. */
    private final class Attempt implements UpstreamClient.Outcome {
        private Member member;
        private final Response response;
        private long tried;
        private int attempts = 1;

        Attempt(Member member, Response response) {
            this.member = member;
            this.response = response;
        }

        @Override
        public boolean unreachable(Throwable failure, UpstreamClient.Retry retry) {
            Member failedMember = member;
            member = null;
            failedMember.inFlight.decrementAndGet();
            failed(failedMember, failure);
            if (failedMember.index < 64) {
                tried |= 1L << failedMember.index;
            }
            if (attempts >= members.length) {
                return false;
            }
            Member next = pick(tried);
            if (next == null) {
                return false;
            }
            attempts++;
            member = next;
            next.inFlight.incrementAndGet();
            if (sticky != null) {
                response.getHeaders().put(next.setCookie);
            }
            retry.to(next.server, this);
            return true;
        }

        @Override
        public void completed(Throwable failure) {
            Member done = member;
            if (done == null) {
                return;
            }
            member = null;
            done.inFlight.decrementAndGet();
            if (failure == null) {
                succeeded(done);
            } else if (ErrorResponses.isTimeout(failure)) {
                failed(done, failure);
            }
        }

        @Override
        public void clientFailed(Throwable failure) {
            // The client's doing: the server is neither failed nor vouched for.
            Member done = member;
            if (done == null) {
                return;
            }
            member = null;
            done.inFlight.decrementAndGet();
        }
    }

    /** A server and its health. */
    static final class Member {
        final int index;
        final UpstreamServer server;
        final int weight;
        final String cookieValue;
        final HttpField setCookie;
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean activeUp = true;
        volatile boolean passiveDown;
        int failures;
        long firstFailureNanos;

        Member(int index, UpstreamServer server, int weight, StickyCookie sticky) {
            this.index = index;
            this.server = server;
            this.weight = weight;
            this.cookieValue = StickyCookie.valueFor(server.url());
            this.setCookie = sticky == null ? null : sticky.setCookie(cookieValue);
        }

        boolean available() {
            return activeUp && !passiveDown && weight > 0;
        }

        @Override
        public String toString() {
            return server.url();
        }
    }

    /** The healthy servers at one moment, and their precomputed round robin cycle. Immutable. */
    private static final class Picker {
        final Member[] healthy;
        final SmoothWeightedRoundRobin<Member> wrr;
        final int cycleLength;

        Picker(Member[] members) {
            List<Member> up = new ArrayList<>();
            List<Integer> weights = new ArrayList<>();
            for (Member member : members) {
                if (member.available()) {
                    up.add(member);
                    weights.add(member.weight);
                }
            }
            healthy = up.toArray(new Member[0]);
            wrr = new SmoothWeightedRoundRobin<>(up, weights);
            cycleLength = wrr.size();
        }
    }
}
