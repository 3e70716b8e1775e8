package dev.gatehouse.core.service;

import dev.gatehouse.core.config.dynamic.PassiveHealthCheckConfig;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.http.FailureLog;
import dev.gatehouse.core.observe.RequestRecord;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamServer;
import dev.gatehouse.core.time.Scheduler;
import java.time.Duration;
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
 * {@code http.services.<name>.loadBalancer}: picks a healthy server by its {@link Strategy} and forwards to it;
 * 503 when no server is healthy.
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
    private final Strategy strategy;
    private final boolean passHostHeader;
    private final StickyCookie sticky;
    private final UpstreamClient upstream;
    /** The clock of passive health and where recoveries are scheduled; null: no passive health. */
    private final Scheduler scheduler;
    private final long failureWindowMillis;
    private final int maxFailedAttempts;
    private volatile Picker picker;

    /** How a server is picked ({@code loadBalancer.strategy}). */
    public enum Strategy {
        /** Smooth weighted round robin (the default). */
        WRR,
        /** Power of two random choices, the one with fewer requests in flight. */
        P2C,
        /** Highest random weight: the client's IP picks its server, which it keeps while that server is up. */
        HRW,
        /**
         * The lowest average time to first byte (of the last {@value ResponseTimes#SAMPLES} responses) times one plus
         * the requests in flight, over the weight; ties by weighted round robin.
         */
        LEASTTIME;

        /** The strategy named by the configuration value (lower case), or an error naming the accepted ones. */
        public static Strategy of(String value) {
            return switch (value) {
                case "wrr" -> WRR;
                case "p2c" -> P2C;
                case "hrw" -> HRW;
                case "leasttime" -> LEASTTIME;
                default -> throw new IllegalArgumentException("loadBalancer.strategy must be wrr, p2c, hrw or leasttime, not '"
                        + value + "'");
            };
        }
    }

    /**
     * @param strategy {@code wrr}, {@code p2c}, {@code hrw} or {@code leasttime}
     * @param sticky the sticky cookie, or null; {@code hrw} has none (the client's IP is its stickiness, as in
     *     Traefik, which ignores {@code sticky} there)
     * @param scheduler where passive health recoveries are scheduled
     */
    public LoadBalancedService(String name, List<UpstreamServer> servers, List<Integer> weights, boolean passHostHeader,
            String strategy, PassiveHealthCheckConfig passive, StickyCookie sticky, UpstreamClient upstream,
            ScheduledExecutorService scheduler) {
        this(name, servers, weights, passHostHeader, strategy, passive, sticky, upstream,
                scheduler == null ? (Scheduler) null : Scheduler.of(scheduler));
    }

    /** As the public constructor, with passive health on {@code scheduler}'s clock (a test's manual one). */
    LoadBalancedService(String name, List<UpstreamServer> servers, List<Integer> weights, boolean passHostHeader,
            String strategy, PassiveHealthCheckConfig passive, StickyCookie sticky, UpstreamClient upstream,
            Scheduler scheduler) {
        this.strategy = Strategy.of(strategy);
        if (this.strategy == Strategy.HRW) {
            sticky = null;
        }
        this.name = name;
        this.servers = List.copyOf(servers);
        this.members = new Member[servers.size()];
        double deadline = 0;
        for (int i = 0; i < members.length; i++) {
            members[i] = new Member(i, servers.get(i), weights.get(i) == null ? 1 : weights.get(i), sticky);
            // Staggered deadlines, so that servers with equal scores start in turn (Traefik's leasttime does so).
            deadline += 1.0 / Math.max(1, members[i].weight);
            members[i].leastTimeDeadline = deadline;
        }
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
        this(name, servers, weights, passHostHeader, "wrr", PassiveHealthCheckConfig.DEFAULTS, null, upstream,
                (Scheduler) null);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        request.setAttribute(FailureLog.SERVICE, name);   // for the log line of a 502/503/504
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
            member = pick(request, 0L);
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
        upstream.forward(request, response, callback, member.server, passHostHeader,
                new Attempt(member, request, response));
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

    /**
     * A healthy server, skipping those in {@code excluded} (a bit per server index, for the first 64).
     *
     * @param request the client's request ({@code hrw} hashes its IP), or null for a copy that has no client
     */
    Member pick(Request request, long excluded) {
        Picker current = picker;
        Member[] healthy = current.healthy;
        if (healthy.length == 0) {
            return null;
        }
        if (strategy == Strategy.HRW) {
            return highestRandomWeight(healthy,
                    request == null ? RendezvousScore.hashKey("") : RendezvousScore.clientHash(request), excluded);
        }
        if (strategy == Strategy.LEASTTIME) {
            return leastTime(healthy, excluded);
        }
        if (strategy == Strategy.P2C) {
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

    private static Member highestRandomWeight(Member[] healthy, long keyHash, long excluded) {
        Member best = null;
        double bestScore = 0;
        for (Member member : healthy) {
            if (isExcluded(member, excluded)) {
                continue;
            }
            double score = RendezvousScore.score(keyHash, member.hrwName, member.weight);
            if (best == null || score > bestScore) {
                best = member;
                bestScore = score;
            }
        }
        return best;
    }

    /**
     * Traefik's least time: the lowest {@code averageTimeToFirstByte * (1 + inFlight) / weight}; servers with
     * the same score (every one before its first response) take turns by weight, earliest deadline first.
     */
    private Member leastTime(Member[] healthy, long excluded) {
        // One pass, nothing allocated: the lowest score, and among the servers that share it the earliest deadline.
        Member chosen = null;
        double lowest = Double.MAX_VALUE;
        boolean tied = false;
        for (Member member : healthy) {
            if (isExcluded(member, excluded)) {
                continue;
            }
            double score = member.responseTimes.averageMillis() * (1 + member.inFlight.get()) / member.weight;
            if (chosen == null || score < lowest) {
                chosen = member;
                lowest = score;
                tied = false;
            } else if (score == lowest) {
                tied = true;
                if (member.leastTimeDeadline < chosen.leastTimeDeadline) {
                    chosen = member;
                }
            }
        }
        if (tied) {
            synchronized (this) {
                chosen.leastTimeDeadline += 1.0 / chosen.weight;
            }
        }
        return chosen;
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
        Member member = pick(null, 0L);
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
            long now = scheduler.nanoTime();
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
                failureWindowMillis, FailureLog.describe(failure, member.server.url()));
        rebuild();
        try {
            scheduler.schedule(() -> {
                member.passiveDown = false;
                LOG.info("Service {}: server {} back in after its failure window", name, member.server.url());
                rebuild();
            }, Duration.ofMillis(failureWindowMillis));
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
        private final Request request;
        private final Response response;
        private long tried;
        private int attempts = 1;
        private long startNanos = System.nanoTime();

        Attempt(Member member, Request request, Response response) {
            this.member = member;
            this.request = request;
            this.response = response;
        }

        @Override
        public void responseBegun(int status) {
            Member current = member;
            if (current != null && strategy == Strategy.LEASTTIME) {
                current.responseTimes.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            }
        }

        @Override
        public UpstreamServer unreachable(Throwable failure) {
            Member failedMember = member;
            member = null;
            failedMember.inFlight.decrementAndGet();
            failed(failedMember, failure);
            if (failedMember.index < 64) {
                tried |= 1L << failedMember.index;
            }
            if (attempts >= members.length) {
                return null;
            }
            Member next = pick(request, tried);
            if (next == null) {
                return null;
            }
            attempts++;
            member = next;
            next.inFlight.incrementAndGet();
            if (sticky != null) {
                response.getHeaders().put(next.setCookie);
            }
            startNanos = System.nanoTime();
            return next.server;
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
        final byte[] hrwName;
        final ResponseTimes responseTimes = new ResponseTimes();
        /** The {@code leasttime} tie-break's turn (earliest deadline first): read freely, moved on under the service's lock. */
        volatile double leastTimeDeadline;
        volatile boolean activeUp = true;
        volatile boolean passiveDown;
        int failures;
        long firstFailureNanos;

        Member(int index, UpstreamServer server, int weight, StickyCookie sticky) {
            this.index = index;
            this.server = server;
            this.weight = weight;
            this.cookieValue = StickyCookie.valueFor(server.url());
            this.hrwName = RendezvousScore.serverBytes(server.url());
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

    /** A server's last {@value #SAMPLES} times to first byte, in whole milliseconds as Traefik counts them. */
    static final class ResponseTimes {
        static final int SAMPLES = 100;
        private final long[] samples = new long[SAMPLES];
        private int next;
        private int count;
        private long sum;
        /** Published by {@link #add}, so that picking, which reads every server's, takes no lock. */
        private volatile double average;

        synchronized void add(long millis) {
            if (count < SAMPLES) {
                count++;
            } else {
                sum -= samples[next];
            }
            samples[next] = millis;
            sum += millis;
            next = (next + 1) % SAMPLES;
            average = (double) sum / count;
        }

        /** 0 before the first response, so a new server is tried at once. */
        double averageMillis() {
            return average;
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
