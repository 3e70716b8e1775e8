package dev.gatehouse.plugins.middlewares.compress;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.BrotliOutputStream;
import com.aayushatharva.brotli4j.encoder.Encoder;
import java.io.IOException;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brotli through brotli4j's native library. The library is loaded once, by the plugin's class loader, from the
 * platform jar shaded into the plugin; where it cannot load (another platform, no temp folder), brotli is simply
 * not offered and gzip is used.
 */
final class Brotli {

    private static final Logger LOG = LoggerFactory.getLogger(Brotli.class);
    private static final boolean AVAILABLE = load();

    private Brotli() {
    }

    private static boolean load() {
        try {
            Brotli4jLoader.ensureAvailability();
            return true;
        } catch (Throwable t) {
            LOG.warn("brotli is not available on this platform ({}); the compress middleware offers gzip only", t.toString());
            return false;
        }
    }

    static boolean available() {
        return AVAILABLE;
    }

    static OutputStream open(OutputStream sink) throws IOException {
        // Quality 5: close to gzip's speed with a better ratio; the level Caddy and most proxies pick for on-the-fly use.
        return new BrotliOutputStream(sink, new Encoder.Parameters().setQuality(5), 16 * 1024);
    }
}
