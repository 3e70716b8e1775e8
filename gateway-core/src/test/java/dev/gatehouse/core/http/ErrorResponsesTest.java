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
}
