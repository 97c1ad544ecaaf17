package dev.sharpness.api.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;

/**
 * Binds a floating-point field from a YAML number only, and only a finite one. Jackson's own
 * deserializer takes the strings "NaN", "Infinity" and "-Infinity" even with coercion off, and a
 * NaN then passes every range check (it compares false both ways); the API server admits neither.
 */
final class FiniteDoubleDeserializer extends StdScalarDeserializer<Double> {
    private static final long serialVersionUID = 1L;

    /** For {@code double} fields: null is refused, as for every primitive. */
    static final FiniteDoubleDeserializer PRIMITIVE = new FiniteDoubleDeserializer(double.class);

    /** For {@code Double} fields and list elements: null stays null, for the validator to name. */
    static final FiniteDoubleDeserializer BOXED = new FiniteDoubleDeserializer(Double.class);

    private FiniteDoubleDeserializer(Class<?> type) {
        super(type);
    }

    @Override
    public Double deserialize(JsonParser parser, DeserializationContext context)
            throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            double value = parser.getDoubleValue();
            if (Double.isFinite(value)) {
                return value;
            }
            // Digits beyond double's range (1e400) read as an infinity.
        }
        throw MismatchedInputException.from(
                parser, handledType(), "expected a finite number, got " + token);
    }

    @Override
    public Double getNullValue(DeserializationContext context) throws JsonMappingException {
        if (handledType() == double.class) {
            _verifyNullForPrimitive(context);
        }
        return null;
    }
}
