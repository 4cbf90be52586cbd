package dev.parley.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.smallrye.config.WithDefault;

/**
 * What the manifests in kubernetes/ must agree on with the application's own settings. The rendered
 * overlays are checked as a whole by .ci/check-manifests; these run with the unit tests.
 */
class KubernetesManifestsTest {

    @Test
    void theIngressBodyLimitIsTheApplicationsAndAboveTheAttachmentLimit() throws Exception {
        Matcher ingress = Pattern.compile("nginx\\.ingress\\.kubernetes\\.io/proxy-body-size:\\s*\"?(\\w+)\"?")
                .matcher(read("kubernetes/base/ingress.yaml"));
        assertThat(ingress.find()).as("proxy-body-size in base/ingress.yaml").isTrue();
        Matcher app = Pattern.compile("(?m)^quarkus\\.http\\.limits\\.max-body-size=(\\w+)$")
                .matcher(read("src/main/resources/application.properties"));
        assertThat(app.find()).as("max-body-size in application.properties").isTrue();
        long attachment = Long.parseLong(ParleyConfig.Limits.class.getMethod("attachmentSize")
                .getAnnotation(WithDefault.class).value());

        assertThat(bytes(ingress.group(1))).as("the Ingress's body limit").isEqualTo(bytes(app.group(1)));
        assertThat(bytes(app.group(1))).as("the body limit").isGreaterThan(attachment);
    }

    @Test
    void theDeploymentLeavesTheReplicaCountToTheAutoscaler() throws Exception {
        assertThat(read("kubernetes/base/hpa.yaml")).contains("kind: HorizontalPodAutoscaler");
        assertThat(read("kubernetes/base/deployment.yaml")).doesNotContainPattern("(?m)^\\s*replicas:");
        // an overlay's patch of the Deployment must not bring the field back either
        try (Stream<Path> overlays = Files.list(Path.of("kubernetes/overlays"))) {
            for (Path patch : overlays.map(o -> o.resolve("deployment.yaml")).filter(Files::exists).toList()) {
                assertThat(Files.readString(patch)).as(patch.toString()).doesNotContainPattern("(?m)^\\s*replicas:");
            }
        }
    }

    private static String read(String path) throws IOException {
        return Files.readString(Path.of(path));
    }

    // nginx's and Quarkus's sizes: a number with k/m/g (either case) in units of 1,024
    private static long bytes(String size) {
        String s = size.toLowerCase(Locale.ROOT);
        char unit = s.charAt(s.length() - 1);
        long factor = switch (unit) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(Character.isDigit(unit) ? s : s.substring(0, s.length() - 1)) * factor;
    }
}
