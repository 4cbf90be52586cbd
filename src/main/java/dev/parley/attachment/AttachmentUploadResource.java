package dev.parley.attachment;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

import dev.parley.auth.CurrentUserService;
import dev.parley.message.MessageView;

@Path("/api/rooms/{id}/attachments")
@Authenticated
public class AttachmentUploadResource {

    private final AttachmentService attachments;
    private final CurrentUserService currentUser;
    private final SecurityIdentity identity;

    public AttachmentUploadResource(AttachmentService attachments, CurrentUserService currentUser, SecurityIdentity identity) {
        this.attachments = attachments;
        this.currentUser = currentUser;
        this.identity = identity;
    }

    /** Uploads a file (multipart field {@code file}) and posts it as a message, with optional {@code text}. */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "The message carrying the attachment; event message", content = @Content(schema = @Schema(implementation = MessageView.class), examples = @ExampleObject(name = "attachmentMessage", ref = "attachmentMessage")))
    @APIResponse(responseCode = "200", description = "The original message, on a clientMsgId retry (no second file is kept)", content = @Content(schema = @Schema(implementation = MessageView.class), examples = @ExampleObject(name = "attachmentMessage", ref = "attachmentMessage")))
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "413", description = "The file is over parley.limits.attachment-size, or the text over the text limit; nothing stored", ref = "TooLarge")
    public Uni<RestResponse<MessageView>> upload(@PathParam("id") String room, @RestForm("file") FileUpload file,
            @RestForm("text") String text, @RestForm("clientMsgId") String clientMsgId) {
        AttachmentService.Upload upload = file == null ? null
                : new AttachmentService.Upload(file.uploadedFile().toString(), file.fileName(), file.size());
        return currentUser.resolve(identity).chain(user -> attachments.post(user, room, upload, text, clientMsgId))
                .map(sent -> RestResponse.status(sent.created() ? Response.Status.CREATED : Response.Status.OK, sent.message()));
    }
}
