package dev.parley.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The AsyncAPI document of the WebSocket (META-INF/asyncapi.yaml) as the tests read it: its
 * operations and messages, the fields each message's payload names, and the validation of a frame
 * against a message's payload schema (JSON Schema draft 7, the AsyncAPI schema format's base).
 */
public final class AsyncApiSpec {

    public static final String RESOURCE = "META-INF/asyncapi.yaml";
    // the id the schema validator knows the document by; nothing is fetched from it
    private static final String BASE = "urn:parley:asyncapi";

    private final JsonNode root;
    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private final Map<String, JsonSchema> payloads = new ConcurrentHashMap<>();

    private AsyncApiSpec(JsonNode root) {
        this.root = root;
        String json = root.toString();
        this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
                builder -> builder.schemaLoaders(loaders -> loaders.schemas(Map.of(BASE, json))));
    }

    /** The document as the application ships it (its classpath copy). */
    public static AsyncApiSpec load() {
        try (InputStream in = AsyncApiSpec.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static AsyncApiSpec parse(String yaml) {
        try {
            return new AsyncApiSpec(new YAMLMapper().readTree(yaml));
        } catch (IOException e) {
            throw new IllegalArgumentException("not YAML", e);
        }
    }

    /** One operation: the message it takes or sends and, for a request, the messages that answer it. */
    public record Operation(String name, String action, String message, List<String> replies) {
    }

    public List<Operation> operations() {
        List<Operation> all = new ArrayList<>();
        root.path("operations").fields().forEachRemaining(e -> {
            JsonNode op = e.getValue();
            List<String> messages = messageNames(op.path("messages"));
            if (messages.size() != 1) {
                throw new IllegalStateException("operation " + e.getKey() + " should name one message, names " + messages);
            }
            all.add(new Operation(e.getKey(), op.path("action").asText(), messages.get(0),
                    messageNames(op.path("reply").path("messages"))));
        });
        return all;
    }

    /** The request operations (the server receives), by the {@code type} of their client frame. */
    public Map<String, Operation> requestsByType() {
        Map<String, Operation> byType = new LinkedHashMap<>();
        operations().stream().filter(o -> o.action().equals("receive")).forEach(o -> byType.put(typeOf(o.message()), o));
        return byType;
    }

    /** The event messages (the server sends unasked), by their {@code type}. */
    public Map<String, String> eventsByType() {
        Map<String, String> byType = new LinkedHashMap<>();
        operations().stream().filter(o -> o.action().equals("send")).forEach(o -> byType.put(typeOf(o.message()), o.message()));
        return byType;
    }

    /** Every message a client may receive: the answers of the requests and the events. */
    public Set<String> serverMessages() {
        Set<String> names = new TreeSet<>();
        for (Operation o : operations()) {
            names.addAll(o.replies());
            if (o.action().equals("send")) {
                names.add(o.message());
            }
        }
        return names;
    }

    /** The {@code type} a message's frames carry (its payload's {@code type} const). */
    public String typeOf(String message) {
        JsonNode type = properties(payload(message)).get("type");
        if (type == null || !resolve(type).has("const")) {
            throw new IllegalStateException("message " + message + " has no type const");
        }
        return resolve(type).get("const").asText();
    }

    /** The field names a message's payload declares (following $ref and allOf). */
    public Set<String> fields(String message) {
        return new TreeSet<>(properties(payload(message)).keySet());
    }

    /** The field names a schema of components/schemas declares. */
    public Set<String> schemaFields(String schema) {
        return new TreeSet<>(properties(root.path("components").path("schemas").path(schema)).keySet());
    }

    /** The values of an enum schema of components/schemas. */
    public Set<String> schemaEnum(String schema) {
        Set<String> values = new TreeSet<>();
        root.path("components").path("schemas").path(schema).path("enum").forEach(v -> values.add(v.asText()));
        return values;
    }

    /** The payloads of a message's examples. */
    public List<JsonNode> examples(String message) {
        List<JsonNode> all = new ArrayList<>();
        message(message).path("examples").forEach(e -> all.add(e.path("payload")));
        return all;
    }

    /** What is wrong with a frame as the message's payload; empty when it validates. */
    public Set<String> validate(String message, JsonNode frame) {
        JsonSchema schema = payloads.computeIfAbsent(message, m -> factory.getSchema(
                SchemaLocation.of(BASE + "#/components/messages/" + m + "/payload"), config));
        Set<String> errors = new TreeSet<>();
        for (ValidationMessage error : schema.validate(frame)) {
            errors.add(error.getMessage());
        }
        return errors;
    }

    private JsonNode message(String name) {
        JsonNode message = root.path("components").path("messages").path(name);
        if (message.isMissingNode()) {
            throw new IllegalStateException("no message " + name + " in components/messages");
        }
        return message;
    }

    private JsonNode payload(String message) {
        return resolve(message(message).path("payload"));
    }

    // a message named in an operation: a $ref to the channel's message, itself a $ref to components/messages
    private List<String> messageNames(JsonNode refs) {
        List<String> names = new ArrayList<>();
        refs.forEach(ref -> {
            String target = resolveRef(ref).path("$ref").asText(ref.path("$ref").asText());
            names.add(target.substring(target.lastIndexOf('/') + 1));
        });
        return names;
    }

    private Map<String, JsonNode> properties(JsonNode schema) {
        Map<String, JsonNode> all = new LinkedHashMap<>();
        JsonNode s = resolve(schema);
        for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            all.put(e.getKey(), e.getValue());
        }
        s.path("allOf").forEach(part -> all.putAll(properties(part)));
        return all;
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode n = node;
        while (n.has("$ref")) {
            n = resolveRef(n);
        }
        return n;
    }

    private JsonNode resolveRef(JsonNode node) {
        String ref = node.path("$ref").asText();
        if (!ref.startsWith("#/")) {
            throw new IllegalStateException("only local references are expected: " + ref);
        }
        JsonNode target = root.at(ref.substring(1));
        if (target.isMissingNode()) {
            throw new IllegalStateException("dangling reference " + ref);
        }
        return target;
    }
}
