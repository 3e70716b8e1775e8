package dev.gatehouse.core.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpTokens;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Reads a server's responses for {@link LeanUpstreamClient}: the plain ones in one pass of its own, every other one
 * with Jetty's {@link HttpParser}, telling one {@link HttpParser.ResponseHandler} the same events either way.
 *
 * <p>Why: Jetty's parser goes through a head byte by byte, and looks every header line up in a trie of well-known
 * fields. For a small proxied response that was a fifth of the gateway's user CPU (issue 18, docs/performance.md).
 * Nearly every response is plain, and this reader takes only those: {@code HTTP/1.1}, a final status from 200 to
 * 599, header lines of token names and visible ASCII values, a single {@code Content-Length} or no body (204, 304,
 * an answer to {@code HEAD}), and the whole head in the bytes at hand. It checks the head whole before it tells any
 * event, so a head it does not take (an interim response, a chunked or close-delimited body, a folded line, a byte
 * outside that set, a head cut by the read) goes to Jetty's parser from its first byte and is judged as it always
 * was. What it takes, Jetty's parser takes too, with the same fields: known header names in Jetty's spelling when
 * Jetty's parser gives them so, values as the server sent them (Jetty's parser here keeps their case too, see
 * {@link #newJettyParser}).
 *
 * <p>Like Jetty's parser it stops after an event its handler answers {@code true} to, and goes on from there at the
 * next {@link #parseNext}.
 */
final class ResponseReader {

    /** Where a plain response is; Jetty's parser has the same states under the same names. */
    private enum State { START, CONTENT, CONTENT_END, END, CLOSE, JETTY }

    /** The bytes of a head looked at first (see {@link #readPlainHead}). */
    private static final int FIRST_COPY = 1024;
    /** What {@link #scanHead} answers for a head that is not plain, and for one that goes on beyond the bytes. */
    private static final int NOT_PLAIN = -1;
    private static final int NEEDS_MORE = -2;
    /** At most this many lines of at most this many bytes are remembered per connection: about 2 KiB. */
    private static final int REMEMBERED_LINES = 12;
    private static final int REMEMBERED_LINE_LENGTH = 128;
    private static final byte[] HTTP_1_1_SPACE = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    /** The bytes of a header name (RFC 9110 tchar), as Jetty's tokens class them. */
    private static final boolean[] NAME = new boolean[256];
    /** The bytes of a header value and a reason phrase taken here: SP, HTAB and VCHAR (no obs-text). */
    private static final boolean[] VALUE = new boolean[256];

    static {
        for (int b = 0; b < 256; b++) {
            HttpTokens.Type type = HttpTokens.getToken((byte) b).getType();
            NAME[b] = type == HttpTokens.Type.ALPHA || type == HttpTokens.Type.DIGIT || type == HttpTokens.Type.TCHAR;
            VALUE[b] = b == ' ' || b == '\t' || (b >= 0x21 && b <= 0x7E);
        }
    }

    private final HttpParser.ResponseHandler handler;
    private final HttpParser jetty;
    /** The longest head read here, below Jetty's limit: a head near that limit is Jetty's parser's to judge. */
    private final int maxHead;

    private State state = State.START;
    private boolean headResponse;
    private boolean eof;
    /** The fields of the head being read, told once the whole head has been checked. */
    private HttpField[] fields = new HttpField[16];
    private int fieldCount;
    private int status;
    private String reason;
    private long contentLength;
    private long contentRead;
    /** Where {@link #textEnd} found the CR that ends the text it read. */
    private int crAt;
    /** Whether the handler was told the head ended (a failure after that is an early end, as in Jetty's parser). */
    private boolean headerComplete;
    /** The lines of the last heads read, by their place in the head, and the fields made of them. */
    private final byte[][] rememberedLines = new byte[REMEMBERED_LINES][];
    private final HttpField[] rememberedFields = new HttpField[REMEMBERED_LINES];
    /** A copy of the bytes a head is read from, and a buffer over it for Jetty's index of header names. */
    private byte[] head = new byte[FIRST_COPY];
    private ByteBuffer headView = ByteBuffer.wrap(head);

    ResponseReader(HttpParser.ResponseHandler handler, int maxHeadBytes, HttpCompliance compliance) {
        this.handler = handler;
        this.jetty = newJettyParser(handler, maxHeadBytes, compliance);
        this.maxHead = Math.max(0, maxHeadBytes - 64);   // no bound at all (0 or less) takes no head here
    }

    /**
     * As strict and as bounded as the parser of Jetty's client, so a response is refused by both or neither. Without
     * its per-connection cache of header fields (about 100 KB of trie per pooled connection once a server repeats a
     * cacheable field). Values keep the server's case: by default Jetty's parser writes a well-known value it
     * recognises ignoring case ({@code charset=UTF-8}) in its own spelling, which Traefik does not do.
     */
    private static HttpParser newJettyParser(HttpParser.ResponseHandler handler, int maxHeadBytes,
                                             HttpCompliance compliance) {
        HttpParser parser = new HttpParser(handler, maxHeadBytes, compliance);
        parser.setHeaderCacheSize(0);
        parser.setHeaderCacheCaseSensitive(true);
        return parser;
    }

    /** Ready for the next response on the connection: the answer to a {@code HEAD} request has no body. */
    void reset(boolean headResponse) {
        jetty.reset();
        jetty.setHeadResponse(headResponse);
        if (state == State.CLOSE) {
            return;   // as Jetty's parser: a connection whose response failed or ended with it is done
        }
        this.headResponse = headResponse;
        state = jetty.isStart() ? State.START : State.JETTY;
        eof = false;
        contentRead = 0;
        contentLength = -1;
        headerComplete = false;
    }

    /** Whether the response being read (or last read) was taken by this reader rather than Jetty's parser. */
    boolean tookThePlainPath() {
        return state == State.CONTENT || state == State.CONTENT_END || state == State.END;
    }

    /** The server closed the connection: what is in hand is all there is. */
    void atEOF() {
        eof = true;
        jetty.atEOF();
    }

    /** The body's length from {@code Content-Length}; -1 when the response has none. */
    long getContentLength() {
        return state == State.JETTY ? jetty.getContentLength() : contentLength;
    }

    /** The bytes of the body told so far. */
    long getContentRead() {
        return state == State.JETTY ? jetty.getContentRead() : contentRead;
    }

    /**
     * Parses until an event the handler answers {@code true} to, or until the bytes in hand are used up; the return
     * is that answer, as {@link HttpParser#parseNext}'s.
     */
    boolean parseNext(ByteBuffer buffer) {
        if (state == State.START) {
            if (!buffer.hasRemaining() && !eof) {
                return false;   // Jetty's parser, too, waits at the start for bytes
            }
            state = !eof && readPlainHead(buffer) ? State.CONTENT : State.JETTY;
            if (state == State.CONTENT) {
                return tellHead(buffer);
            }
        }
        if (state == State.JETTY) {
            return jetty.parseNext(buffer);
        }
        try {
            return parseContent(buffer) || eatLineEnds(buffer);
        } catch (Throwable failure) {
            return failed(buffer, failure);
        }
    }

    /** The head checked by {@link #readPlainHead}, told; then the body, as far as it is in hand. */
    private boolean tellHead(ByteBuffer buffer) {
        try {
            handler.startResponse(HttpVersion.HTTP_1_1, status, reason);
            for (int i = 0; i < fieldCount; i++) {
                HttpField field = fields[i];
                fields[i] = null;
                handler.parsedHeader(field);
            }
            fieldCount = 0;
            boolean stop = handler.headerComplete();
            headerComplete = true;
            return stop || parseContent(buffer) || eatLineEnds(buffer);
        } catch (Throwable failure) {
            return failed(buffer, failure);
        }
    }

    /** A handler's failure while parsing, answered as Jetty's parser answers one. */
    private boolean failed(ByteBuffer buffer, Throwable failure) {
        BufferUtil.clear(buffer);
        clearFields();   // those a failing handler was not told yet
        // Made first, as Jetty's parser makes it (its constructor asserts a 4xx or 5xx code).
        HttpException bad = failure instanceof HttpException http ? http
                : new HttpException.RuntimeException(status, "Bad Response", failure);
        state = State.CLOSE;
        if (headerComplete) {
            handler.earlyEOF();
        } else {
            handler.badMessage(bad);
        }
        return false;
    }

    /** Jetty's parser's content states for a body of known length (none, for HEAD, 204 and 304). */
    private boolean parseContent(ByteBuffer buffer) {
        switch (state) {
            case CONTENT -> {
                long left = contentLength - contentRead;
                if (headResponse || left == 0) {
                    state = State.CONTENT_END;
                    return contentEnded();
                }
                int remaining = buffer.remaining();
                if (remaining == 0) {
                    if (eof) {
                        state = State.CLOSE;
                        handler.earlyEOF();
                    }
                    return false;
                }
                int length = (int) Math.min(remaining, left);
                int position = buffer.position();
                ByteBuffer chunk = buffer.slice(position, length);
                contentRead += length;
                buffer.position(position + length);
                if (handler.content(chunk)) {
                    return true;
                }
                if (contentRead == contentLength) {
                    state = State.CONTENT_END;
                    return contentEnded();
                }
                return false;
            }
            case CONTENT_END -> {
                state = State.END;
                return handler.messageComplete();
            }
            case END -> {
                return false;
            }
            default -> {
                BufferUtil.clear(buffer);   // CLOSE: nothing more is read, as in Jetty's parser
                return false;
            }
        }
    }

    /**
     * Once a message has ended, as Jetty's parser: the CRs and LFs after it are eaten, so that a server's stray line
     * end does not cost the connection. Always false (nothing is told).
     */
    private boolean eatLineEnds(ByteBuffer buffer) {
        if (state == State.END) {
            while (buffer.hasRemaining() && (buffer.get(buffer.position()) == '\r'
                    || buffer.get(buffer.position()) == '\n')) {
                buffer.get();
            }
        }
        return false;
    }

    private boolean contentEnded() {
        if (handler.contentComplete()) {
            return true;
        }
        state = State.END;
        return handler.messageComplete();
    }

    /**
     * Whether the bytes from the buffer's position start with a whole plain head (see the class comment); if so it
     * is checked and its fields made, and the buffer's position moved past it. Otherwise nothing has changed.
     */
    private boolean readPlainHead(ByteBuffer buffer) {
        // Scanned in a copy: one bulk copy costs less than a bounds-checked read of each byte of a direct buffer.
        // The first kilobyte holds most heads; a longer one is copied whole (up to the limit) and scanned again.
        int available = Math.min(buffer.remaining(), maxHead);
        int copied = Math.min(available, FIRST_COPY);
        copy(buffer, copied);
        int headLength = scanHead(copied);
        if (headLength == NEEDS_MORE && copied < available) {
            copied = available;
            copy(buffer, copied);
            headLength = scanHead(copied);
        }
        if (copied > FIRST_COPY) {
            // A long head is rare: its copy is not kept with the connection (up to 64 KiB each).
            head = new byte[FIRST_COPY];
            headView = ByteBuffer.wrap(head);
        }
        if (headLength < 0) {
            clearFields();
            return false;
        }
        buffer.position(buffer.position() + headLength);
        return true;
    }

    private void clearFields() {
        Arrays.fill(fields, 0, fieldCount, null);
        fieldCount = 0;
    }

    private void copy(ByteBuffer buffer, int length) {
        if (head.length < length) {
            head = new byte[Math.max(length, head.length * 2)];
            headView = ByteBuffer.wrap(head);
        }
        buffer.get(buffer.position(), head, 0, length);
    }

    /**
     * The length of the plain head at the start of {@link #head}'s first {@code end} bytes, its status, reason and
     * fields kept; {@link #NOT_PLAIN} when it is not a plain head, {@link #NEEDS_MORE} when the bytes end first.
     */
    private int scanHead(int end) {
        byte[] h = head;
        clearFields();
        // The status line: "HTTP/1.1 " three digits, a space, a reason phrase of one byte or more, CRLF.
        if (end < HTTP_1_1_SPACE.length + 8) {
            return NEEDS_MORE;
        }
        if (!Arrays.equals(h, 0, HTTP_1_1_SPACE.length, HTTP_1_1_SPACE, 0, HTTP_1_1_SPACE.length)) {
            return NOT_PLAIN;
        }
        int i = HTTP_1_1_SPACE.length;
        int code = digit(h[i]) * 100 + digit(h[i + 1]) * 10 + digit(h[i + 2]);
        if (code < 200 || code > 599 || h[i + 3] != ' ') {
            return NOT_PLAIN;   // also a byte that is not a digit (digit answers -1000)
        }
        i += 4;
        while (i < end && h[i] == ' ') {
            i++;   // Jetty's parser skips the spaces before the reason phrase (and refuses a tab there)
        }
        if (i < end && h[i] == '\t') {
            return NOT_PLAIN;
        }
        int reasonStart = i;
        int reasonEnd = textEnd(h, reasonStart, end);
        if (reasonEnd < 0) {
            return reasonEnd;
        }
        i = crAt + 2;

        long length = -1;
        while (true) {
            if (i + 1 >= end) {
                return NEEDS_MORE;
            }
            if (h[i] == '\r') {
                if (h[i + 1] != '\n') {
                    return NOT_PLAIN;
                }
                i += 2;
                break;
            }
            // A header line: a token, a colon, optional white space, a value of one visible byte or more, CRLF. A line
            // that starts with white space (a folded one) is not a token.
            int nameStart = i;
            while (i < end && NAME[h[i] & 0xFF]) {
                i++;
            }
            if (i >= end) {
                return NEEDS_MORE;
            }
            if (i == nameStart || h[i] != ':') {
                return NOT_PLAIN;
            }
            int nameEnd = i++;
            boolean spaceAfterColon = i < end && h[i] == ' ';
            while (i < end && (h[i] == ' ' || h[i] == '\t')) {
                i++;
            }
            int valueStart = i;
            int valueEnd = textEnd(h, valueStart, end);   // an empty value too is Jetty's parser's to judge
            if (valueEnd < 0) {
                return valueEnd;
            }
            int lineEnd = crAt;
            i = crAt + 2;

            HttpField field = remembered(h, nameStart, lineEnd);
            HttpHeader header = field != null ? field.getHeader()
                    : HttpHeader.CACHE.get(headView, nameStart, nameEnd - nameStart);
            if (header == HttpHeader.TRANSFER_ENCODING || header == HttpHeader.HOST) {
                return NOT_PLAIN;   // chunked or other codings; a Host in a response (Jetty's parser makes it special)
            }
            if (header == HttpHeader.CONTENT_LENGTH) {
                if (length >= 0) {
                    return NOT_PLAIN;   // a second one, equal or not: Jetty's parser's to judge
                }
                length = contentLength(h, valueStart, valueEnd);
                if (length < 0) {
                    return NOT_PLAIN;
                }
            }
            if (field == null) {
                String name = header != null && (spaceAfterColon || spelledAs(header, h, nameStart))
                        ? header.asString()   // Jetty's parser recognises "Name: " in any case and spells it its way
                        : string(h, nameStart, nameEnd);
                field = new HttpField(header, name, string(h, valueStart, valueEnd));
                remember(h, nameStart, lineEnd, field);
            }
            if (fieldCount == fields.length) {
                fields = Arrays.copyOf(fields, fieldCount * 2);
            }
            fields[fieldCount++] = field;
        }
        boolean bodiless = code == 204 || code == 304;
        if (length < 0 && !bodiless && !headResponse) {
            return NOT_PLAIN;   // the body ends with the connection: Jetty's parser's
        }
        status = code;
        reason = reasonEnd - reasonStart == 2 && h[reasonStart] == 'O' && h[reasonStart + 1] == 'K'
                ? "OK" : string(h, reasonStart, reasonEnd);
        contentLength = bodiless ? 0 : length;
        return i;
    }

    /**
     * The field made from the same line at the same place in an earlier head on this connection, if any. A server
     * repeats most of its head from response to response (Server, Content-Type, often Date within a second), and a
     * field is made from its line's bytes alone, so an equal line can take the field made before.
     */
    private HttpField remembered(byte[] h, int from, int to) {
        int at = fieldCount;
        byte[] line = at < REMEMBERED_LINES ? rememberedLines[at] : null;
        return line != null && Arrays.equals(h, from, to, line, 0, line.length) ? rememberedFields[at] : null;
    }

    private void remember(byte[] h, int from, int to, HttpField field) {
        int at = fieldCount;
        if (at < REMEMBERED_LINES) {
            boolean fits = to - from <= REMEMBERED_LINE_LENGTH;
            rememberedLines[at] = fits ? Arrays.copyOfRange(h, from, to) : null;
            rememberedFields[at] = fits ? field : null;
        }
    }

    /**
     * The end (after its last byte that is not white space) of a reason phrase or field value of one visible byte
     * or more from {@code from} up to a CRLF, whose CR is then at {@link #crAt}; {@link #NOT_PLAIN} for an empty one,
     * a byte outside {@link #VALUE} or a CR without LF, {@link #NEEDS_MORE} when the bytes end first.
     */
    private int textEnd(byte[] h, int from, int end) {
        int visibleEnd = from;
        int i = from;
        for (; i < end && h[i] != '\r'; i++) {
            byte b = h[i];
            if (!VALUE[b & 0xFF]) {
                return NOT_PLAIN;
            }
            if (b != ' ' && b != '\t') {
                visibleEnd = i + 1;
            }
        }
        if (i + 1 >= end) {
            return NEEDS_MORE;
        }
        if (visibleEnd == from || h[i + 1] != '\n') {
            return NOT_PLAIN;
        }
        crAt = i;
        return visibleEnd;
    }

    /** Whether the name at {@code from} is spelled as Jetty spells the header (the caller knows the lengths agree). */
    private static boolean spelledAs(HttpHeader header, byte[] h, int from) {
        byte[] spelling = header.getBytes();
        return Arrays.equals(h, from, from + spelling.length, spelling, 0, spelling.length);
    }

    private static int digit(byte b) {
        return b >= '0' && b <= '9' ? b - '0' : -1000;
    }

    /** A Content-Length of up to 18 digits (any longer is Jetty's parser's to judge); -1 when it is not one. */
    private static long contentLength(byte[] h, int from, int to) {
        if (to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            byte b = h[i];
            if (b < '0' || b > '9') {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    private static String string(byte[] h, int from, int to) {
        return new String(h, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
