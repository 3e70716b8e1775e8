package dev.gatehouse.plugins.middlewares.compress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/** A content coding the compress middleware can produce, as a streaming encoder over a byte sink. */
enum Encoding {
    GZIP("gzip") {
        @Override
        OutputStream open(OutputStream sink) throws IOException {
            // Sync flush: what a write hands in goes out with it, so streamed responses (events, long polls) keep flowing.
            return new GZIPOutputStream(sink, 8192, true);
        }

        @Override
        boolean available() {
            return true;
        }
    },
    BROTLI("br") {
        @Override
        OutputStream open(OutputStream sink) throws IOException {
            return Brotli.open(sink);
        }

        @Override
        boolean available() {
            return Brotli.available();
        }
    };

    final String token;

    Encoding(String token) {
        this.token = token;
    }

    abstract OutputStream open(OutputStream sink) throws IOException;

    abstract boolean available();

    static Encoding of(String token) {
        for (Encoding e : values()) {
            if (e.token.equals(token)) {
                return e;
            }
        }
        return null;
    }

    /** A sink whose bytes are taken out after every write. */
    static final class Sink extends ByteArrayOutputStream {
        byte[] take() {
            byte[] out = toByteArray();
            reset();
            return out;
        }
    }
}
