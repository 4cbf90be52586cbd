package dev.parley.config;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.quarkus.jackson.ObjectMapperCustomizer;

import dev.parley.wire.ClientText;

/**
 * One JSON strictness for REST bodies and WebSocket frames: Jackson would otherwise read 5 as "5",
 * "5" as 5 and 1 as true, and a wrong type must be a bad request. A body or frame is one JSON value
 * with nothing after it: Jackson would otherwise read the first object of {@code {…} junk} or
 * {@code {…}{…}} and ignore the rest. No string may break {@link ClientText}'s rule (control
 * characters, unpaired surrogates): refused here, for every field of every request at once.
 * Unknown fields are tolerated so that newer clients keep working.
 */
@Singleton
public class StrictJsonCustomizer implements ObjectMapperCustomizer {

    /** The message of a string refused for its control characters. */
    public static final String CONTROL_CHARACTERS = ClientText.CONTROL_CHARACTERS;

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.registerModule(new SimpleModule("parley-text").addDeserializer(String.class, new TextDeserializer()));
    }

    private static final class TextDeserializer extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = super.deserialize(p, ctxt);
            String fault = text == null ? null : ClientText.fault(text);
            if (fault != null) {
                throw ctxt.weirdStringException(text, String.class, fault);
            }
            return text;
        }
    }
}
