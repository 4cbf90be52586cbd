package dev.parley.realtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * Serves the AsyncAPI document of the WebSocket (META-INF/asyncapi.yaml) at {@value #PATH}, beside
 * the OpenAPI document of the REST API, on the application's port: the file is the protocol's one
 * machine-readable description, so it is served as written.
 */
@Singleton
public class AsyncApiDocument {

    public static final String PATH = "/q/asyncapi";
    static final String RESOURCE = "META-INF/asyncapi.yaml";

    private final Buffer document;

    public AsyncApiDocument() {
        try (InputStream in = AsyncApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the application");
            }
            this.document = Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void install(@Observes Router router) {
        router.get(PATH).handler(context -> context.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=UTF-8")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(document));
    }
}
