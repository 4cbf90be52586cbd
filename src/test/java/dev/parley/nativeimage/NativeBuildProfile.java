package dev.parley.nativeimage;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The application built with Quarkus's native-image build steps on. They run without GraalVM (only
 * packaging needs it) and leave what they generate for native-image among the application's
 * resources, {@code META-INF/native-image/reflect-config.json} included: the very list of classes the
 * native image can reflect on. The application itself still runs on the JVM.
 */
public class NativeBuildProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.native.enabled", "true");
    }
}
