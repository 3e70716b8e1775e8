package dev.gatehouse.core.config;

/** The check of a {@code <host>:<port>} address (a collector's, a StatsD agent's), shared by every key that takes one. */
final class HostPort {

    private HostPort() {
    }

    /**
     * Refuses {@code address} unless it is {@code host:port} with a port from 1 to 65535 and no scheme or path.
     *
     * @param key the key named in the error ({@code endpoint}, {@code address})
     * @param example a valid value, shown in the error
     */
    static void check(String key, String address, String example) {
        String value = address.strip();
        int colon = value.lastIndexOf(':');
        // A scheme (http://) or path has no place here: the transport is set by other keys.
        boolean valid = colon > 0 && colon < value.length() - 1 && !value.contains("/");
        if (valid) {
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                valid = port > 0 && port < 65536;
            } catch (NumberFormatException e) {
                valid = false;
            }
        }
        if (!valid) {
            throw new InvalidValueException(key, "invalid address '" + address
                    + "' (expected <host>:<port> without a scheme, such as " + example + ")");
        }
    }
}
