package dev.gatehouse.core.config;

/**
 * Thrown by a configuration record's constructor when one of its values is out of range. The
 * binder reports it against {@link #key()}, with the source that value came from.
 */
public final class InvalidValueException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key the record component at fault, as written in configuration ({@code level})
     * @param message what is wrong, naming the value
     */
    public InvalidValueException(String key, String message) {
        super(message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
