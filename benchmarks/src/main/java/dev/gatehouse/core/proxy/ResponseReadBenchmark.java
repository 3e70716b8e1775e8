package dev.gatehouse.core.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What reading a server's response costs the lean upstream client: the bench's nginx origin's answer (five header
 * lines and a 12-byte body, in a direct buffer as the client reads it) by Jetty's {@link HttpParser} as the client
 * set it up before, and by the {@link ResponseReader} it uses now, into the fields the client keeps. Run with
 * {@code -prof gc} for the allocation per response.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar ResponseRead -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResponseReadBenchmark {

    private static final byte[] NGINX = ("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
            + "Date: Tue, 08 Dec 2026 01:40:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
            + "Connection: keep-alive\r\n\r\nhello world\n").getBytes(StandardCharsets.ISO_8859_1);

    @Param({"jetty", "reader"})
    public String parser;

    private final Fields handler = new Fields();
    private ByteBuffer buffer;
    private HttpParser jetty;
    private ResponseReader reader;

    @Setup
    public void setUp() {
        buffer = ByteBuffer.allocateDirect(32 * 1024);
        jetty = new HttpParser(handler, 64 * 1024, HttpCompliance.RFC9110);
        jetty.setHeaderCacheSize(0);
        reader = new ResponseReader(handler, 64 * 1024, HttpCompliance.RFC9110);
    }

    @Benchmark
    public HttpFields.Mutable read() {
        buffer.clear();
        buffer.put(NGINX).flip();
        handler.fields = HttpFields.build();
        if (parser.equals("jetty")) {
            jetty.reset();
            while (!jetty.parseNext(buffer) || buffer.hasRemaining()) {
                // content, then the end
            }
        } else {
            reader.reset(false);
            while (!reader.parseNext(buffer) || buffer.hasRemaining()) {
                // content, then the end
            }
        }
        return handler.fields;
    }

    /** Keeps the fields as the lean client does; takes the body chunk and the end. */
    private static final class Fields implements HttpParser.ResponseHandler {
        HttpFields.Mutable fields;

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
        }

        @Override
        public void parsedHeader(HttpField field) {
            fields.add(field);
        }

        @Override
        public boolean headerComplete() {
            return false;
        }

        @Override
        public boolean content(ByteBuffer item) {
            item.position(item.limit());
            return false;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            return true;
        }

        @Override
        public void earlyEOF() {
            throw new IllegalStateException("early EOF");
        }

        @Override
        public void badMessage(HttpException failure) {
            throw new IllegalStateException(failure.getReason());
        }
    }
}
