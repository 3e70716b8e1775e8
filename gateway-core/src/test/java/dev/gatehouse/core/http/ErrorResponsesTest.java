package dev.gatehouse.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.EofException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a client that failed its side of an exchange is answered (or recorded as, when it is gone). */
class ErrorResponsesTest {

    /** Jetty's "Early EOF": the connection closed mid-body; both an EofException and a 400. */
    private static final class EarlyEof extends EofException implements HttpException {
        EarlyEof() {
            super("Early EOF");
        }

        @Override
        public int getCode() {
            return 400;
        }

        @Override
        public String getReason() {
            return getMessage();
        }
    }

    static Stream<Arguments> clientFailures() {
        return Stream.of(
                Arguments.of("idle timeout while the body stalls", new TimeoutException("Idle timeout 1000 ms"), 408),
                Arguments.of("the entry point's readTimeout", new RequestReadTimeoutException("web",
                        java.time.Duration.ofSeconds(60)), 408),
                Arguments.of("a timeout wrapped", new IOException(new SocketTimeoutException("read timed out")), 408),
                Arguments.of("invalid chunk size", new BadMessageException("Bad chunking"), 400),
                Arguments.of("another 4xx from Jetty", new HttpException.RuntimeException(413, "too large"), 413),
                Arguments.of("connection closed mid-body", new EarlyEof(), 499),
                Arguments.of("stream reset", new EofException("reset"), 499),
                Arguments.of("channel closed", new ClosedChannelException(), 499),
                Arguments.of("connection reset by peer", new IOException("Connection reset by peer"), 499));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("clientFailures")
    void clientFailureStatus(String what, Throwable failure, int expected) {
        assertEquals(expected, ErrorResponses.clientFailureStatus(failure));
    }

    /** A cause that is its own cause, as some libraries build them: the walk must end. */
    private static final class SelfCaused extends IOException {
        @Override
        public synchronized Throwable getCause() {
            return this;
        }
    }

    static Stream<Arguments> upstreamFailures() {
        java.net.UnknownHostException lookupTimedOut = new java.net.UnknownHostException("app.internal");
        lookupTimedOut.initCause(new SocketTimeoutException("DNS server did not answer"));
        return Stream.of(
                Arguments.of("no response headers in time", new TimeoutException("no response headers"), 504),
                Arguments.of("connect timeout", new java.net.SocketTimeoutException("Connect timed out"), 504),
                Arguments.of("Jetty's address resolution timed out", new TimeoutException("DNS timeout 15000 ms"), 504),
                Arguments.of("a lookup that timed out", lookupTimedOut, 504),
                Arguments.of("a name that does not exist", new java.net.UnknownHostException("no-such-host.invalid"), 502),
                Arguments.of("connection refused", new java.net.ConnectException("Connection refused"), 502),
                Arguments.of("a timeout wrapped twice", new IOException(new RuntimeException(new TimeoutException())), 504),
                Arguments.of("its own cause", new SelfCaused(), 502));
    }

    /** 504 for a timeout anywhere in the chain, as Traefik answers for Go's net.Error.Timeout(); 502 otherwise. */
    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("upstreamFailures")
    void upstreamFailureStatus(String what, Throwable failure, int expected) {
        assertEquals(expected, ErrorResponses.statusFor(failure));
    }
}
