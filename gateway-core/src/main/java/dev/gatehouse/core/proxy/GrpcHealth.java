package dev.gatehouse.core.proxy;

/**
 * The gRPC health checking protocol (grpc.health.v1), on the wire: the one call health checks make, and the one
 * field of its answer they read. Written out here rather than generated, as it is two messages of one field each.
 */
final class GrpcHealth {

    static final String PATH = "/grpc.health.v1.Health/Check";
    static final String CONTENT_TYPE = "application/grpc";
    static final String STATUS_HEADER = "grpc-status";
    /** A HealthCheckResponse is a few bytes; anything much larger is not one. */
    static final int MAX_RESPONSE_BYTES = 1024;
    /** One uncompressed gRPC message of length 0: a HealthCheckRequest with no service name (the whole server). */
    static final byte[] REQUEST = {0, 0, 0, 0, 0};

    private GrpcHealth() {
    }

    /**
     * The {@code status} of the HealthCheckResponse in a gRPC response body (1 is SERVING; 0, UNKNOWN, when the
     * field is absent), or -1 when the body is not one uncompressed gRPC message holding such a response.
     */
    static int servingStatus(byte[] body) {
        if (body == null || body.length < 5 || body[0] != 0) {
            return -1;
        }
        long length = ((body[1] & 0xffL) << 24) | ((body[2] & 0xff) << 16) | ((body[3] & 0xff) << 8) | (body[4] & 0xff);
        if (length > body.length - 5) {
            return -1;
        }
        int[] position = {5};
        int end = 5 + (int) length;
        int status = 0;
        while (position[0] < end) {
            long tag = varint(body, position, end);
            if (tag < 0) {
                return -1;
            }
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            switch (wireType) {
                case 0 -> {
                    long value = varint(body, position, end);
                    if (value < 0) {
                        return -1;
                    }
                    if (field == 1) {
                        status = (int) value;
                    }
                }
                case 1 -> position[0] += 8;
                case 2 -> {
                    long size = varint(body, position, end);
                    if (size < 0) {
                        return -1;
                    }
                    position[0] += (int) Math.min(size, end);
                }
                case 5 -> position[0] += 4;
                default -> {
                    return -1;
                }
            }
        }
        return position[0] == end ? status : -1;
    }

    /** A protobuf varint at {@code position[0]}, which moves past it; -1 when it runs past {@code end} or 64 bits. */
    private static long varint(byte[] bytes, int[] position, int end) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position[0] >= end) {
                return -1;
            }
            byte b = bytes[position[0]++];
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        return -1;
    }
}
