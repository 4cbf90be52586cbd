package dev.parley.nativeimage;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.Serializers;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Records every Parley class the application's {@code ObjectMapper} builds a serializer or
 * deserializer for, whoever asked (REST, the WebSocket gateway, the fan-out, presence, webhooks):
 * the classes a native image must have registered for reflection. Jackson asks its modules for a
 * custom (de)serializer of each type once, before building its own; this module answers none, so
 * the mapper behaves exactly as without it.
 *
 * <p>A test bean: Quarkus applies it to the mapper of every {@code @QuarkusTest} application.
 */
@Singleton
public class JacksonBindings implements ObjectMapperCustomizer {

    private static final String PARLEY = "dev.parley.";
    private static final Set<String> BOUND = ConcurrentHashMap.newKeySet();

    /** The Parley classes bound so far by this application's mapper, by binary name. */
    public static Set<String> bound() {
        return new TreeSet<>(BOUND);
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("parley-jackson-bindings") {
            @Override
            public void setupModule(SetupContext context) {
                super.setupModule(context);
                context.addSerializers(new Serializers.Base() {
                    @Override
                    public JsonSerializer<?> findSerializer(SerializationConfig config, JavaType type, BeanDescription beanDesc) {
                        record(type);
                        return null;
                    }
                });
                context.addDeserializers(new Deserializers.Base() {
                    @Override
                    public JsonDeserializer<?> findBeanDeserializer(JavaType type, DeserializationConfig config,
                            BeanDescription beanDesc) {
                        record(type);
                        return null;
                    }

                    @Override
                    public JsonDeserializer<?> findEnumDeserializer(Class<?> type, DeserializationConfig config,
                            BeanDescription beanDesc) {
                        record(config.constructType(type));
                        return null;
                    }
                });
            }
        });
    }

    private static void record(JavaType type) {
        String name = type.getRawClass().getName();
        if (name.startsWith(PARLEY)) {
            BOUND.add(name);
        }
    }
}
