package dev.gatehouse.api.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * The client's request whose first body bytes a {@link BodyReader} already read: they come first, then the rest
 * from the client, if any. Made anew, it gives a whole held body again (each is read once).
 */
public final class PeekedRequest extends Request.Wrapper {
    private final byte[] peeked;
    private final boolean whole;
    private boolean peekedGiven;

    /** @param whole whether {@code peeked} is the whole body (then the client's request is not read again) */
    public PeekedRequest(Request request, byte[] peeked, boolean whole) {
        super(request);
        this.peeked = peeked;
        this.whole = whole;
    }

    @Override
    public Content.Chunk read() {
        if (!peekedGiven) {
            peekedGiven = true;
            if (peeked.length > 0 || whole) {
                return Content.Chunk.from(ByteBuffer.wrap(peeked), whole);
            }
        }
        return whole ? Content.Chunk.EOF : super.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
        if (!peekedGiven || whole) {
            demandCallback.run();
        } else {
            super.demand(demandCallback);
        }
    }
}
