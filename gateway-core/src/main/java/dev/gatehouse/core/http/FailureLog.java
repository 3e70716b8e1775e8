package dev.gatehouse.core.http;

import dev.gatehouse.core.logging.LogText;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Explains every failure the gateway answers for itself (502, 503, 504) in the log, at WARN so that it shows with
 * the default level: the status, the router, the service, the server and what failed (TLS handshake, connection
 * refused, reset, timeout). Traefik logs these at DEBUG only, which leaves a user facing "Bad Gateway" with
 * nothing to go on.
 *
 * <p>A dead backend fails every request sent to it, so each kind of failure (same status, router, service, server
 * and cause) is logged at most once per {@value #WINDOW_SECONDS} seconds; the next line of that kind says how many
 * were left out in between. The number of kinds is bounded by the configuration (causes are a fixed set), and the
 * table is emptied should it ever grow past {@value #MAX_KINDS}.
 *
 * <p>The router and the service are request attributes set by the routing table and the load balancer (one
 * attribute each per request), since the failure is seen deep in the proxy, where neither is known.
 */
public final class FailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(FailureLog.class);

    /** The request attribute naming the router that took the request ({@code app@file}). */
    public static final String ROUTER = "dev.gatehouse.router";
    /** The request attribute naming the (innermost) service handling the request ({@code app@file}). */
    public static final String SERVICE = "dev.gatehouse.service";

    static final int WINDOW_SECONDS = 10;
    private static final int MAX_KINDS = 4096;

    /** The clock the windows are measured with; a test sets its own. */
    static volatile LongSupplier nanoClock = System::nanoTime;

    private static final Map<String, Window> WINDOWS = new ConcurrentHashMap<>();

    private FailureLog() {
    }

    /**
     * One kind of failure: when its window began, and how many of it were left out since. Also what other log lines
     * a client can set off on every request use (a plugin that fails on each request), one window per source.
     */
    public static final class Window {
        private long startNanos;
        private long suppressed;

        /**
         * Whether a line is logged now: null when one was logged less than {@value #WINDOW_SECONDS} seconds ago (it is
         * counted), else what the line adds about those left out since ("" when none were).
         */
        public String admit() {
            long now = nanoClock.getAsLong();
            long leftOut;
            synchronized (this) {
                if (startNanos != 0 && now - startNanos < WINDOW_SECONDS * 1_000_000_000L) {
                    suppressed++;
                    return null;
                }
                leftOut = suppressed;
                startNanos = now == 0 ? 1 : now;
                suppressed = 0;
            }
            return leftOut == 0 ? "" : " (and " + leftOut + " more like it since the previous line, not logged)";
        }
    }

    /** A server failed before its response began: answered 502, or 504 for a timeout. */
    public static void upstreamFailed(Request request, String server, Throwable failure) {
        int status = ErrorResponses.statusFor(failure);
        Cause cause = Cause.of(failure);
        log(request, status, server, cause.kind, cause.describe(failure, server));
    }

    /** What failed, in words for the log ("the connection was refused ..."), never a Java class name. */
    public static String describe(Throwable failure, String server) {
        return Cause.of(failure).describe(failure, server);
    }

    /** The service had no server to take the request: answered 503. */
    public static void serviceUnavailable(Request request) {
        log(request, 503, null, "none", "no server of the service is available (all are down, unhealthy or none"
                + " is configured); see the health check log lines and the API's /api/http/services");
    }

    private static void log(Request request, int status, String server, String kind, String explanation) {
        String router = String.valueOf(request.getAttribute(ROUTER));
        String service = String.valueOf(request.getAttribute(SERVICE));
        String leftOut = admit(status + " " + router + " " + service + " " + server + " " + kind);
        if (leftOut == null) {
            return;
        }
        LOG.warn("{} for {} {}{}: router {}, service {}{}: {}{}", status == 503 ? "503 Service Unavailable"
                        : status == 504 ? "504 Gateway Timeout" : "502 Bad Gateway", request.getMethod(),
                printable(request.getHttpURI().getHost()), printable(request.getHttpURI().getPath()), router, service, server == null ? "" : ", server " + server,
                explanation, leftOut);
    }

    /**
     * Whether a failure of this kind is logged now: null when one was logged less than {@value #WINDOW_SECONDS}
     * seconds ago (it is counted), else what the line adds about those left out since ("" when none were).
     */
    public static String admit(String kind) {
        if (WINDOWS.size() > MAX_KINDS) {
            WINDOWS.clear();
        }
        return WINDOWS.computeIfAbsent(kind, k -> new Window()).admit();
    }

    /** What a client sent, fit for a log line: control characters escaped (no forged lines), at most 200 characters. */
    public static String printable(String text) {
        return LogText.escape(text, 200);
    }

    /** What failed, found in the failure's chain of causes; a fixed set, so that the kinds stay bounded. */
    private enum Cause {
        TLS("tls"), REFUSED("refused"), TIMEOUT("timeout"), RESET("reset"), UNKNOWN_HOST("unknown host"),
        NO_ROUTE("no route"), OTHER("other");

        final String kind;

        Cause(String kind) {
            this.kind = kind;
        }

        static Cause of(Throwable failure) {
            if (ErrorResponses.isTimeout(failure)) {
                return TIMEOUT;
            }
            // A TLS failure anywhere in the chain comes first: Jetty may wrap it in the end of stream it caused
            // (an EofException whose cause is the SSLException), which would otherwise read as a reset.
            for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
                if (cause instanceof SSLException) {
                    return TLS;
                }
                for (Throwable suppressed : cause.getSuppressed()) {
                    if (suppressed instanceof SSLException) {
                        return TLS;
                    }
                }
            }
            for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
                if (cause instanceof ConnectException) {
                    return REFUSED;
                }
                if (cause instanceof UnknownHostException) {
                    return UNKNOWN_HOST;
                }
                if (cause instanceof NoRouteToHostException) {
                    return NO_ROUTE;
                }
                if (cause instanceof EofException || cause instanceof ClosedChannelException
                        || String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("reset")) {
                    return RESET;
                }
            }
            return OTHER;
        }

        String describe(Throwable failure, String server) {
            String detail = detail(failure);
            return switch (this) {
                case TLS -> "the TLS handshake with the server failed (" + detail + ")"
                        + (server != null && server.startsWith("https://") && detail.toLowerCase(Locale.ROOT)
                                .matches(".*(unrecognized ssl message|plaintext|not an ssl/tls record).*")
                                ? "; the server does not speak TLS: write http:// in its URL for a plain-HTTP server"
                                : "");
                case REFUSED -> "the connection was refused (is the server running and listening on that port?)";
                case TIMEOUT -> "the server did not answer in time (" + detail + "; see the servers transport's"
                        + " forwardingTimeouts)";
                case RESET -> "the server closed or reset the connection before its response began";
                case UNKNOWN_HOST -> "the server's host name does not resolve (" + detail + ")";
                case NO_ROUTE -> "no route to the server's host";
                case OTHER -> "forwarding failed (" + detail + ")";
            };
        }

        /** The most specific message in the chain, without Java class names. */
        private static String detail(Throwable failure) {
            String message = null;
            for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
                if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                    message = cause.getMessage();
                }
            }
            if (message == null) {
                return "no detail";
            }
            // Some messages embed a class name ("java.net.ConnectException: ..."): keep what follows it.
            return message.replaceAll("\\b(?:[a-z]+\\.)+[A-Z]\\w*(?:Exception|Error): ?", "").strip();
        }
    }
}
