package dev.gatehouse.plugins.middlewares.buffering;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A whole body held for the buffering middleware: in memory up to {@code memLimit} bytes, then in a temporary file
 * (deleted by {@link #close()}). {@link #append} says false once {@code maxBytes} (0: no limit) would be passed.
 */
final class BodyStore implements AutoCloseable {

    private final long memLimit;
    private final long maxBytes;
    private ByteArrayOutputStream memory = new ByteArrayOutputStream();
    private Path file;
    private FileChannel channel;
    private long size;

    BodyStore(long memLimit, long maxBytes) {
        this.memLimit = memLimit;
        this.maxBytes = maxBytes;
    }

    /** Adds the buffer's bytes; false (adding nothing) when that would pass the maximum. */
    boolean append(ByteBuffer buffer) throws IOException {
        int n = buffer.remaining();
        if (maxBytes > 0 && size + n > maxBytes) {
            return false;
        }
        if (channel == null && size + n > memLimit) {
            file = Files.createTempFile("gatehouse-buffering-", ".body");
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel.write(ByteBuffer.wrap(memory.toByteArray()));
            memory = null;
        }
        if (channel != null) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } else {
            byte[] bytes = new byte[n];
            buffer.get(bytes);
            memory.write(bytes);
        }
        size += n;
        return true;
    }

    long size() {
        return size;
    }

    boolean inFile() {
        return channel != null;
    }

    /** The body in memory (only when not in a file). */
    ByteBuffer memory() {
        return ByteBuffer.wrap(memory.toByteArray());
    }

    /** Reads up to {@code into.remaining()} bytes at {@code position} of the file; -1 at the end. */
    int read(long position, ByteBuffer into) throws IOException {
        return channel.read(into, position);
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a temp file left behind is removed with the temp folder
        }
    }
}
