package dev.gatehouse.core.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lean client's response reader against Jetty's parser as its client sets it up: for every response, cut into
 * two reads at every byte and into reads of one byte each, the handler is told the same events, the same fields
 * (names, values, header kinds), the same body chunks, and the same bytes are left over. The plain responses must
 * also have been read by the reader itself, or the comparison would prove nothing about it.
 */
class ResponseReaderTest {

    private static final int MAX_HEAD = 64 * 1024;
    private static final String NGINX = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
            + "Date: Tue, 08 Dec 2026 01:40:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
            + "Connection: keep-alive\r\n\r\nhello world\n";

    /** Responses the reader takes itself. */
    @ParameterizedTest
    @ValueSource(strings = {
        NGINX,
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nX-A: 1\r\n\r\nnot found",
        "HTTP/1.1 503   Service  Unavailable \t \r\nContent-Length: 2\r\n\r\nno",
        // Names as servers write them: lower case, odd case, no space after the colon, white space around values.
        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/html\r\nx-lower: a\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nCONTENT-length:2\r\nX-Tab:\ta b  c \t\r\nX-Colons: a:b::c\r\nX-Many:    v\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length:2\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\n\r\nok",
        // A well-known value in another case than Jetty's own spelling: kept as sent (Traefik does not rewrite it).
        "HTTP/1.1 200 OK\r\nContent-Type: text/html;charset=UTF-8\r\nConnection: Keep-Alive\r\n"
            + "Content-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Type: TEXT/PLAIN; charset=utf-8; x=1\r\nContent-Length: 2\r\n\r\nok",
        // Leading zeros; a length of 18 digits whose body never comes (an early end).
        "HTTP/1.1 200 OK\r\nContent-Length: 002\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 123456789012345678\r\n\r\nsome",
        // No body whatever they say.
        "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"v1\"\r\n\r\n",
        // Bytes after the body: line ends are eaten, anything else is left (the connection is not reused then).
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n",
        // Cut short: the body, and nothing after the head.
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n",
        "HTTP/1.1 599 Odd\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    })
    void readsPlainResponsesItselfAndTellsWhatJettysParserTells(String response) {
        assertSameAsJetty(response, false, true);
    }

    /** Responses it leaves to Jetty's parser from their first byte, which judges them as it always did. */
    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n2\r\nok\r\n0\r\nX-T: v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nuntil the end",
        "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-Ctl: a\u0001b\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\rX: 1\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-Empty:\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-Blank:   \r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-Space : 1\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\n: no name\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nHost: example.com\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 2000 Odd\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Le",
        "garbage\r\n\r\n",
        "",
    })
    void leavesEveryOtherResponseToJettysParser(String response) {
        assertSameAsJetty(response, false, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n",
        "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n",
    })
    void readsTheAnswerToAHeadRequestWithoutABody(String response) {
        assertSameAsJetty(response, true, true);
    }

    @org.junit.jupiter.api.Test
    void readsAHeadLongerThanItsFirstLookItselfToo() {
        assertSameAsJetty("HTTP/1.1 200 OK\r\nContent-Security-Policy: " + "default-src 'self'; ".repeat(150)
                + "\r\nContent-Length: 2\r\n\r\nok", false, true);
    }

    /**
     * Responses one after another on one connection, as a server sends them: the reader reuses the fields of lines
     * it has seen at the same place, and must tell exactly what a fresh parse tells when a line differs in any byte.
     */
    @org.junit.jupiter.api.Test
    void responsesOneAfterAnotherOnAConnectionAreEachToldAsJettysParserTellsThem() {
        List<String> responses = List.of(
                NGINX,
                NGINX,
                NGINX.replace("01:40:00", "01:40:01").replace("hello world\n", "hello world!"),
                NGINX.replace("Content-Length: 12", "Content-Length: 13").replace("world\n", "world!\n"),
                NGINX.replace("Content-Type: text/plain", "content-type: text/plain"),
                NGINX.replace("Content-Type: text/plain", "Content-Type:text/plain"),
                NGINX.replace("Content-Type: text/plain", "Content-Type: text/plaiN"),
                "HTTP/1.1 404 Not Found\r\nServer: nginx/1.22.1\r\nContent-Length: 2\r\n\r\nno",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                NGINX,
                "HTTP/1.1 200 OK\r\nX-Long: " + "v".repeat(200) + "\r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.1 200 OK\r\nX-Long: " + "v".repeat(200) + "\r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.1 200 OK\r\nX-Long: " + "v".repeat(199) + "w\r\nContent-Length: 2\r\n\r\nok",
                NGINX);
        Events jetty = new Events(event -> false);
        Reader jettyParser = jettyParser(jetty, false);
        Events own = new Events(event -> false);
        OwnReader reader = ownReader(own, false);
        for (String response : responses) {
            jetty.ended = false;
            own.ended = false;
            drive(response, List.of(response.length()), jettyParser, jetty);
            drive(response, List.of(response.length()), reader, own);
            assertEquals(jetty.log, own.log, response);
            jettyParser.reset();
            reader.reset();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 200 OK\r\nX-Big: %s\r\nContent-Length: 2\r\n\r\nok"})
    void leavesAHeadNearJettysLimitToJettysParser(String format) {
        assertSameAsJetty(String.format(format, "b".repeat(MAX_HEAD - 60)), false, false);
        assertSameAsJetty(String.format(format, "b".repeat(MAX_HEAD + 10)), false, false);
    }

    /** A handler that fails while being told the head is answered as Jetty's parser answers it: a bad message. */
    @ParameterizedTest
    @ValueSource(strings = {NGINX, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"})
    void aHandlerThatFailsIsAnsweredAsJettysParserAnswersIt(String response) {
        for (String failingAt : List.of("start", "header", "headerComplete", "content", "messageComplete")) {
            Events jetty = new Events(event -> event.startsWith(failingAt));
            Events own = new Events(event -> event.startsWith(failingAt));
            drive(response, List.of(response.length()), jettyParser(jetty, false), jetty);
            Reader reader = ownReader(own, false);
            drive(response, List.of(response.length()), reader, own);
            assertEquals(jetty.log, own.log, failingAt);
        }
    }

    private static void assertSameAsJetty(String response, boolean headRequest, boolean plain) {
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        List<List<Integer>> cuts = new ArrayList<>();   // where each read ends
        cuts.add(List.of(bytes.length));
        for (int at = 0; at < bytes.length; at++) {
            cuts.add(List.of(at, bytes.length));
        }
        List<Integer> byByte = new ArrayList<>();
        for (int at = 1; at <= bytes.length; at++) {
            byByte.add(at);
        }
        cuts.add(byByte);
        if (bytes.length > 4096) {
            cuts = List.of(cuts.get(0), cuts.get(bytes.length / 2), byByte);   // a long head: the cuts that matter
        }

        for (List<Integer> cut : cuts) {
            Events jetty = new Events(event -> false);
            drive(response, cut, jettyParser(jetty, headRequest), jetty);
            Events own = new Events(event -> false);
            OwnReader reader = ownReader(own, headRequest);
            drive(response, cut, reader, own);
            assertEquals(jetty.log, own.log, "read in pieces ending at " + cut);
            if (cut.size() == 1) {
                // Whole in one read: a plain head is the reader's own.
                assertEquals(plain, reader.tookPlainPath, "whether the reader read it itself");
            }
        }
    }

    /** What a parser is driven by: the lean client's loop, reduced to its calls. */
    private interface Reader {
        boolean parseNext(ByteBuffer buffer);

        void atEOF();

        /** Ready for the next response on the connection (a GET's). */
        void reset();
    }

    private static final class OwnReader implements Reader {
        final ResponseReader reader;
        boolean tookPlainPath;

        OwnReader(ResponseReader reader) {
            this.reader = reader;
        }

        @Override
        public boolean parseNext(ByteBuffer buffer) {
            boolean stop = reader.parseNext(buffer);
            tookPlainPath |= reader.tookThePlainPath();
            return stop;
        }

        @Override
        public void atEOF() {
            reader.atEOF();
        }

        @Override
        public void reset() {
            reader.reset(false);
        }
    }

    private static Reader jettyParser(Events events, boolean headRequest) {
        // As Jetty's client sets its parser up, but for the reader's choice of keeping values as sent.
        HttpParser parser = new HttpParser(events, MAX_HEAD, HttpCompliance.RFC9110);
        parser.setHeaderCacheSize(0);
        parser.setHeaderCacheCaseSensitive(true);
        parser.setHeadResponse(headRequest);
        events.lengths = () -> parser.getContentLength() + "/" + parser.getContentRead();
        return new Reader() {
            @Override
            public boolean parseNext(ByteBuffer buffer) {
                return parser.parseNext(buffer);
            }

            @Override
            public void atEOF() {
                parser.atEOF();
            }

            @Override
            public void reset() {
                parser.reset();
                parser.setHeadResponse(false);
            }
        };
    }

    private static OwnReader ownReader(Events events, boolean headRequest) {
        ResponseReader reader = new ResponseReader(events, MAX_HEAD, HttpCompliance.RFC9110);
        reader.reset(headRequest);
        events.lengths = () -> reader.getContentLength() + "/" + reader.getContentRead();
        return new OwnReader(reader);
    }

    /**
     * Each read in a direct buffer (as the lean client's), parsed until the parser needs more bytes or the message
     * ended; then the end of the connection. What is left unparsed after the message is logged too.
     */
    private static void drive(String response, List<Integer> cutEnds, Reader reader, Events events) {
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        int from = 0;
        for (int to : cutEnds) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(1, to - from));
            buffer.put(bytes, from, to - from).flip();
            from = to;
            for (int rounds = 0; rounds < 10_000 && !events.ended; rounds++) {
                boolean stop = parse(reader, buffer, events);
                if (!stop && !buffer.hasRemaining()) {
                    break;
                }
            }
            if (events.ended) {
                events.log.add("left " + buffer.remaining());
                return;
            }
        }
        reader.atEOF();
        for (int rounds = 0; rounds < 10 && !events.ended; rounds++) {
            parse(reader, ByteBuffer.allocateDirect(0), events);
        }
    }

    /**
     * One parse; what it throws is logged as an end. Jetty's parser throws AssertionError under the tests' -ea when
     * it fails a response before its status is known (its exception asserts a 4xx/5xx code); the reader must too.
     */
    private static boolean parse(Reader reader, ByteBuffer buffer, Events events) {
        try {
            return reader.parseNext(buffer);
        } catch (Throwable thrown) {
            events.log.add("thrown " + thrown.getClass().getSimpleName());
            events.ended = true;
            return false;
        }
    }

    /** Logs every event; content is taken (true), as the lean client does while it writes the chunk on. */
    private static final class Events implements HttpParser.ResponseHandler {
        final List<String> log = new ArrayList<>();
        final Predicate<String> failAt;
        /** The parser's Content-Length and body bytes read, which the lean client reads at each chunk. */
        Supplier<String> lengths;
        boolean ended;

        Events(Predicate<String> failAt) {
            this.failAt = failAt;
        }

        private void add(String event) {
            log.add(event);
            if (failAt.test(event)) {
                throw new IllegalStateException("failing at " + event);
            }
        }

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
            add("start " + version + " " + status + " [" + reason + "]");
        }

        @Override
        public void parsedHeader(HttpField field) {
            add("header " + field.getHeader() + " [" + field.getName() + "] [" + field.getValue() + "]");
        }

        @Override
        public boolean headerComplete() {
            add("headerComplete");
            return false;
        }

        @Override
        public boolean content(ByteBuffer item) {
            byte[] chunk = new byte[item.remaining()];
            item.get(chunk);
            add("content [" + new String(chunk, StandardCharsets.ISO_8859_1) + "] " + lengths.get());
            return true;
        }

        @Override
        public boolean contentComplete() {
            add("contentComplete");
            return false;
        }

        @Override
        public boolean messageComplete() {
            add("messageComplete");
            ended = true;
            return true;
        }

        @Override
        public void parsedTrailer(HttpField field) {
            add("trailer [" + field.getName() + "] [" + field.getValue() + "]");
        }

        @Override
        public void earlyEOF() {
            log.add("earlyEOF");
            ended = true;
        }

        @Override
        public void badMessage(HttpException failure) {
            log.add("badMessage " + failure.getCode() + " " + failure.getReason());
            ended = true;
        }
    }
}
