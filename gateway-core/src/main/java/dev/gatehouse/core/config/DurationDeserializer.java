package dev.gatehouse.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

/**
 * Reads a {@link Duration} from Go syntax ({@code "1m30s"}) or a number of seconds ({@code 10}).
 * A bad value goes through {@link DeserializationContext#handleWeirdStringValue}, so a problem
 * handler can record it and go on.
 */
final class DurationDeserializer extends StdScalarDeserializer<Duration> {

    private static final long serialVersionUID = 1L;

    DurationDeserializer() {
        super(Duration.class);
    }

    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_STRING) {
            String text = p.getText();
            try {
                return GoDurations.parse(text);
            } catch (IllegalArgumentException e) {
                return (Duration) ctxt.handleWeirdStringValue(Duration.class, text, e.getMessage());
            }
        }
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            BigDecimal seconds = p.getDecimalValue();
            if (seconds.signum() < 0) {
                return (Duration) ctxt.handleWeirdNumberValue(Duration.class, seconds,
                        "invalid duration '" + seconds + "' (" + GoDurations.EXAMPLES + ")");
            }
            BigInteger[] secondsAndNanos = seconds.movePointRight(9).toBigInteger()
                    .divideAndRemainder(BigInteger.valueOf(1_000_000_000L));
            return Duration.ofSeconds(secondsAndNanos[0].longValue(), secondsAndNanos[1].longValue());
        }
        return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
    }
}
