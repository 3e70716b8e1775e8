package dev.gatehouse.plugins.middlewares.contenttype;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Go's {@code http.DetectContentType} (the WHATWG MIME sniffing table it implements), over at most 512 bytes. */
final class Sniffer {

    private static final String[] HTML = {"<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT",
        "<TABLE", "<A", "<STYLE", "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--"};

    private record Exact(byte[] sig, String type) {
    }

    private static final Exact[] EXACT = {
        exact("%PDF-", "application/pdf"),
        exact("%!PS-Adobe-", "application/postscript"),
        exact("\u00FE\u00FF", "text/plain; charset=utf-16be"),
        exact("\u00FF\u00FE", "text/plain; charset=utf-16le"),
        exact("\u00EF\u00BB\u00BF", "text/plain; charset=utf-8"),
        exact("\u0000\u0000\u0001\u0000", "image/x-icon"),
        exact("\u0000\u0000\u0002\u0000", "image/x-icon"),
        exact("BM", "image/bmp"),
        exact("GIF87a", "image/gif"),
        exact("GIF89a", "image/gif"),
        exact("\u0089PNG\r\n\u001A\n", "image/png"),
        exact("\u00FF\u00D8\u00FF", "image/jpeg"),
        exact("ID3", "audio/mpeg"),
        exact("OggS\u0000", "application/ogg"),
        exact("MThd\u0000\u0000\u0000\u0006", "audio/midi"),
        exact("\u001A\u0045\u00DF\u00A3", "video/webm"),
        exact("\u0000\u0001\u0000\u0000", "font/ttf"),
        exact("OTTO", "font/otf"),
        exact("ttcf", "font/collection"),
        exact("wOFF", "font/woff"),
        exact("wOF2", "font/woff2"),
        exact("\u001F\u008B\u0008", "application/x-gzip"),
        exact("PK\u0003\u0004", "application/zip"),
        exact("Rar!\u001A\u0007\u0000", "application/x-rar-compressed"),
        exact("Rar!\u001A\u0007\u0001\u0000", "application/x-rar-compressed"),
        exact("\u0000asm", "application/wasm"),
    };

    private Sniffer() {
    }

    private static Exact exact(String sig, String type) {
        return new Exact(sig.getBytes(StandardCharsets.ISO_8859_1), type);
    }

    static String detect(ByteBuffer content) {
        ByteBuffer b = content.slice();
        byte[] data = new byte[Math.min(512, b.remaining())];
        b.get(data);
        return detect(data);
    }

    static String detect(byte[] data) {
        int ws = 0;
        while (ws < data.length && isWhitespace(data[ws])) {
            ws++;
        }
        for (String sig : HTML) {
            if (htmlMatch(data, ws, sig)) {
                return "text/html; charset=utf-8";
            }
        }
        if (startsWith(data, ws, "<?xml".getBytes(StandardCharsets.US_ASCII))) {
            return "text/xml; charset=utf-8";
        }
        for (Exact e : EXACT) {
            if (startsWith(data, 0, e.sig())) {
                return e.type();
            }
        }
        if (riff(data, "WEBPVP")) {
            return "image/webp";
        }
        if (riff(data, "AVI ")) {
            return "video/avi";
        }
        if (riff(data, "WAVE")) {
            return "audio/wave";
        }
        if (data.length >= 12 && data[0] == 'F' && data[1] == 'O' && data[2] == 'R' && data[3] == 'M'
                && new String(data, 8, 4, StandardCharsets.ISO_8859_1).equals("AIFF")) {
            return "audio/aiff";
        }
        if (mp4(data)) {
            return "video/mp4";
        }
        for (byte x : data) {
            int c = x & 0xff;
            if (c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F)) {
                return "application/octet-stream";
            }
        }
        return "text/plain; charset=utf-8";
    }

    private static boolean riff(byte[] data, String kind) {
        byte[] k = kind.getBytes(StandardCharsets.US_ASCII);
        if (data.length < 8 + k.length || data[0] != 'R' || data[1] != 'I' || data[2] != 'F' || data[3] != 'F') {
            return false;
        }
        return startsWith(data, 8, k);
    }

    private static boolean mp4(byte[] data) {
        if (data.length < 12) {
            return false;
        }
        int boxSize = ((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff);
        if (boxSize % 4 != 0 || data.length < boxSize || data[4] != 'f' || data[5] != 't' || data[6] != 'y' || data[7] != 'p') {
            return false;
        }
        for (int st = 8; st < boxSize; st += 4) {
            if (st == 12) {
                continue;   // the minor version
            }
            if (data[st] == 'm' && data[st + 1] == 'p' && data[st + 2] == '4') {
                return true;
            }
        }
        return false;
    }

    private static boolean htmlMatch(byte[] data, int from, String sig) {
        int n = sig.length();
        if (data.length - from < n + 1) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            byte d = data[from + i];
            char s = sig.charAt(i);
            if (s >= 'A' && s <= 'Z') {
                d = (byte) (d & 0xDF);
            }
            if (d != (byte) s) {
                return false;
            }
        }
        byte tag = data[from + n];
        return tag == ' ' || tag == '>';
    }

    private static boolean startsWith(byte[] data, int from, byte[] sig) {
        if (data.length - from < sig.length) {
            return false;
        }
        for (int i = 0; i < sig.length; i++) {
            if (data[from + i] != sig[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWhitespace(byte b) {
        return b == '\t' || b == '\n' || b == 0x0C || b == '\r' || b == ' ';
    }
}
