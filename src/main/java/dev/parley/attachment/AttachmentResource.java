package dev.parley.attachment;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestMulti;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

import dev.parley.auth.CurrentUserService;

@Path("/api/attachments")
@Authenticated
public class AttachmentResource {

    private final AttachmentService attachments;
    private final CurrentUserService currentUser;
    private final SecurityIdentity identity;

    public AttachmentResource(AttachmentService attachments, CurrentUserService currentUser, SecurityIdentity identity) {
        this.attachments = attachments;
        this.currentUser = currentUser;
        this.identity = identity;
    }

    /**
     * The file, for whoever may read its room (404 for anyone else, and once its message is
     * deleted), with its sniffed type; shown in the page only for images, never sniffed again by
     * the browser, and sandboxed should it be opened as a page. The bytes are streamed chunked, so
     * the answer carries no Content-Length: a message framed both ways is malformed (RFC 9112 6.3)
     * and strict clients refuse it.
     */
    @GET
    @Path("/{id}")
    @APIResponse(responseCode = "200", description = "The bytes, streamed, with the recorded type: a raster image (shown inline) or application/octet-stream", headers = {
            @Header(name = "Content-Disposition", description = "inline for raster images, else attachment; with the file name", schema = @Schema(type = SchemaType.STRING)),
            @Header(name = "X-Content-Type-Options", schema = @Schema(type = SchemaType.STRING, enumeration = "nosniff")),
            @Header(name = "Content-Security-Policy", schema = @Schema(type = SchemaType.STRING, enumeration = "sandbox")) }, content = {
                    @Content(mediaType = "image/*", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                    @Content(mediaType = "application/octet-stream", schema = @Schema(type = SchemaType.STRING, format = "binary")) })
    @APIResponse(responseCode = "404", description = "No such attachment, its message deleted, or a room the caller may not read", ref = "NotFound")
    public RestMulti<Buffer> download(@PathParam("id") String id) {
        Uni<AttachmentService.Download> opened = currentUser.resolve(identity).chain(user -> attachments.open(user, id));
        return RestMulti.fromUniResponse(opened,
                d -> d.bytes().map(io.vertx.mutiny.core.buffer.Buffer::getDelegate),
                d -> Map.of(
                        "Content-Type", List.of(d.attachment().contentType()),
                        "Content-Disposition", List.of(disposition(d.inline(), d.attachment().name())),
                        "X-Content-Type-Options", List.of("nosniff"),
                        "Content-Security-Policy", List.of("sandbox"),
                        "Cache-Control", List.of("private, max-age=3600")),
                d -> 200);
    }

    // RFC 6266: an ASCII fallback of safe characters, and the exact name percent-encoded (RFC 8187).
    static String disposition(boolean inline, String name) {
        String ascii = name.replaceAll("[^A-Za-z0-9._ -]", "_");
        String exact = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        return (inline ? "inline" : "attachment") + "; filename=\"" + ascii + "\"; filename*=UTF-8''" + exact;
    }
}
