package dev.gatehouse.core.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The few DER encodings the gateway writes and reads itself (a self-signed certificate, PKCS#1 and SEC1 keys
 * rewrapped as PKCS#8), so that the core needs no ASN.1 library.
 */
final class Der {

    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int UTF8_STRING = 0x0c;
    static final int UTC_TIME = 0x17;
    static final int SEQUENCE = 0x30;
    static final int SET = 0x31;

    private Der() {
    }

    static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.writeBytes(part);
        }
        byte[] content = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            byte[] bytes = BigInteger.valueOf(length).toByteArray();
            int skip = bytes[0] == 0 ? 1 : 0;
            out.write(0x80 | (bytes.length - skip));
            out.write(bytes, skip, bytes.length - skip);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    static byte[] sequence(byte[]... parts) {
        return tlv(SEQUENCE, parts);
    }

    static byte[] integer(BigInteger value) {
        return tlv(INTEGER, value.toByteArray());
    }

    static byte[] utf8(String value) {
        return tlv(UTF8_STRING, value.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] bitString(byte[] bytes) {
        byte[] content = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, content, 1, bytes.length);
        return tlv(BIT_STRING, content);
    }

    /** An object identifier in dotted form, such as {@code 1.2.840.10045.2.1}. */
    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            int groups = 1;
            while ((arc >>> (7 * groups)) != 0) {
                groups++;
            }
            for (int g = groups - 1; g >= 0; g--) {
                int b = (int) ((arc >>> (7 * g)) & 0x7f);
                out.write(g == 0 ? b : b | 0x80);
            }
        }
        return tlv(OID, out.toByteArray());
    }

    /** A reader over one DER encoding; {@link #next()} returns the elements of the current level in order. */
    static final class Reader {
        private final byte[] data;
        private int position;
        private final int end;

        Reader(byte[] data) {
            this(data, 0, data.length);
        }

        private Reader(byte[] data, int start, int end) {
            this.data = data;
            this.position = start;
            this.end = end;
        }

        boolean hasNext() {
            return position < end;
        }

        /** The next element: its tag, and its content as bytes. */
        Element next() {
            if (position + 2 > end) {
                throw new IllegalArgumentException("truncated DER");
            }
            int tag = data[position++] & 0xff;
            int length = data[position++] & 0xff;
            if (length >= 0x80) {
                int count = length & 0x7f;
                if (count == 0 || count > 3 || position + count > end) {
                    throw new IllegalArgumentException("unsupported DER length");
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (data[position++] & 0xff);
                }
            }
            if (position + length > end) {
                throw new IllegalArgumentException("truncated DER");
            }
            Element element = new Element(tag, data, position, position + length);
            position += length;
            return element;
        }
    }

    /** One element: {@link #encoded()} rebuilds it whole, {@link #children()} reads inside a constructed one. */
    record Element(int tag, byte[] data, int start, int end) {
        byte[] content() {
            byte[] copy = new byte[end - start];
            System.arraycopy(data, start, copy, 0, copy.length);
            return copy;
        }

        byte[] encoded() {
            return tlv(tag, content());
        }

        Reader children() {
            return new Reader(data, start, end);
        }
    }
}
