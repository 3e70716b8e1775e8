package dev.gatehouse.core.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A client's socket, with the system calls per keep-alive request that Jetty's endpoint makes and nginx does not
 * left out (issue 18: 7.2 system calls per proxied request against nginx's 5.1, measured with {@code perf stat}).
 *
 * <ul>
 * <li><b>Reads that cannot find anything.</b> When a response ends, Jetty's HTTP/1.1 connection reads the socket
 * for a next request, and on nothing reads once more (a retry meant for TLS) before it asks the selector: two reads
 * that return {@code EAGAIN} per request, as the client sends its next request only after this response. After a
 * read that did not fill the buffer, the socket was empty then; until the selector reports it readable again, a
 * read answers "nothing" without the system call.
 * <li><b>Interest changes.</b> Jetty takes "read" out of the socket's interests when the selector reports it
 * readable, and puts it back when the connection wants more, after the response: two {@code epoll_ctl} calls per
 * request, because the two fall in different turns of the selector. Here, when the selector reports a socket that a
 * connection is waiting to read, "read" stays: the connection will want it again.
 * </ul>
 *
 * <p>Neither can lose or delay a byte beyond one turn of the selector. The selector's readiness is level-triggered:
 * a socket that holds bytes while "read" is among its interests is reported at the next turn, whatever this
 * endpoint believed. A report that finds no connection waiting to read (a client that sends its next request before
 * the response, or closes meanwhile) takes "read" out as Jetty does, so an unread socket cannot keep the selector
 * busy; it costs that one wasted report.
 */
final class ClientSocketEndPoint extends SocketChannelEndPoint {

    private SelectionKey key;
    /** Whether the last read left the socket empty and the selector has not reported it readable since. */
    private volatile boolean drained;

    ClientSocketEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler) {
        super(channel, selector, key, scheduler);
        this.key = key;
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        if (drained) {
            return 0;
        }
        int filled = super.fill(buffer);
        // Short of the buffer's end: the socket had no more. (A full buffer may have left bytes in the socket.)
        drained = filled == 0 || (filled > 0 && buffer.limit() < buffer.capacity());
        return filled;
    }

    @Override
    public Runnable onSelected() {
        boolean awaited = isFillInterested();
        int ready = key.readyOps();
        Runnable task = super.onSelected();   // takes the ready operations out of the interests
        if ((ready & SelectionKey.OP_READ) != 0) {
            drained = false;
            if (awaited) {
                // Put back before the selector applies the change, so that no change reaches the kernel: the
                // waiting connection reads now and will wait again.
                needsFillInterest();
            }
        }
        return task;
    }

    @Override
    public void replaceKey(SelectionKey newKey) {
        super.replaceKey(newKey);
        key = newKey;
    }
}
