package dev.gatehouse.core.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The answer of a gRPC health check is a server's to write: a well-formed HealthCheckResponse gives its status, and
 * anything else (truncated, compressed, lying about its length, a field running past the message) is not SERVING.
 */
class GrpcHealthTest {

    private static byte[] message(int... payload) {
        byte[] body = new byte[5 + payload.length];
        body[4] = (byte) payload.length;
        for (int i = 0; i < payload.length; i++) {
            body[5 + i] = (byte) payload[i];
        }
        return body;
    }

    @Test
    void aWellFormedAnswerGivesItsStatus() {
        assertEquals(1, GrpcHealth.servingStatus(message(0x08, 0x01)), "SERVING");
        assertEquals(2, GrpcHealth.servingStatus(message(0x08, 0x02)), "NOT_SERVING");
        assertEquals(0, GrpcHealth.servingStatus(message()), "no field: UNKNOWN");
        // An unknown length-delimited field (2: "A") before the status is skipped.
        assertEquals(1, GrpcHealth.servingStatus(message(0x12, 0x01, 0x41, 0x08, 0x01)));
    }

    @Test
    void aMalformedAnswerIsNotAStatus() {
        assertEquals(-1, GrpcHealth.servingStatus(null));
        assertEquals(-1, GrpcHealth.servingStatus(new byte[] {0, 0, 0}), "shorter than a message prefix");
        byte[] compressed = message(0x08, 0x01);
        compressed[0] = 1;
        assertEquals(-1, GrpcHealth.servingStatus(compressed), "compressed");
        byte[] longer = message(0x08, 0x01);
        longer[4] = 9;
        assertEquals(-1, GrpcHealth.servingStatus(longer), "a length beyond the body");
        byte[] huge = message(0x08, 0x01);
        huge[1] = (byte) 0xff;
        assertEquals(-1, GrpcHealth.servingStatus(huge), "a length of gigabytes");
        assertEquals(-1, GrpcHealth.servingStatus(message(0x08, 0x81)), "a varint cut off");
        assertEquals(-1, GrpcHealth.servingStatus(message(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
                "a varint of more than 64 bits");
        assertEquals(-1, GrpcHealth.servingStatus(message(0x0b)), "a group (wire type 3)");
        assertEquals(-1, GrpcHealth.servingStatus(message(0x09, 0x01)), "a fixed64 running past the message");
        assertEquals(-1, GrpcHealth.servingStatus(message(0x12, 0xff, 0xff, 0xff, 0xff, 0x0f)),
                "a length-delimited field running past the message");
    }
}
