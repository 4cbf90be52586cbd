package dev.parley.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.TestUsers;

/** With registration switched off nobody registers, and existing built-in accounts still log in. */
@QuarkusTest
@TestProfile(RegistrationSwitchProfile.class)
class RegistrationSwitchTest {

    @Test
    void registrationIsForbiddenAndExistingAccountsStillLogIn() throws Exception {
        String name = TestUsers.uniqueName("nope");
        given().contentType(ContentType.JSON).body(Map.of("username", name, "password", TestUsers.PASSWORD))
                .post("/api/auth/register")
                .then().statusCode(403).contentType("application/problem+json").body("code", equalTo("forbidden"));
        given().contentType(ContentType.JSON).body(Map.of("username", name, "password", TestUsers.PASSWORD))
                .post("/api/auth/login").then().statusCode(401);

        String existing = TestUsers.uniqueName("old");
        try (Connection db = DatabaseTestResource.connect(DatabaseTestResource.DATABASE);
                PreparedStatement insert = db.prepareStatement("insert into users "
                        + "(id, username, password_hash, kind, issuer, subject) values (?, ?, ?, 'user', 'parley', ?)")) {
            String id = UUID.randomUUID().toString();
            insert.setString(1, id);
            insert.setString(2, existing);
            insert.setString(3, BcryptUtil.bcryptHash(TestUsers.PASSWORD));
            insert.setString(4, id);
            insert.executeUpdate();
        }
        given().contentType(ContentType.JSON).body(Map.of("username", existing, "password", TestUsers.PASSWORD))
                .post("/api/auth/login").then().statusCode(200).body("tokenType", equalTo("Bearer"));
    }
}
