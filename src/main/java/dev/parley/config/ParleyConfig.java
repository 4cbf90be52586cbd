package dev.parley.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every Parley setting. Each key is overridable by its environment variable
 * ({@code parley.limits.text-length} is {@code PARLEY_LIMITS_TEXT_LENGTH}); the README lists them all.
 */
@ConfigMapping(prefix = "parley")
public interface ParleyConfig {

    Http http();

    Management management();

    Metrics metrics();

    Db db();

    Redis redis();

    Auth auth();

    Keycloak keycloak();

    Websocket websocket();

    Limits limits();

    Batch batch();

    Presence presence();

    Webhooks webhooks();

    Health health();

    /** What the probes report. */
    interface Health {
        /**
         * How long an event loop may go without running a task before the instance reports itself
         * not live ({@code /q/health/live}), so that Kubernetes restarts it rather than routing to it.
         * Well above any pause a healthy loop has (Vert.x warns of a blocked loop after 2 s).
         */
        @WithDefault("PT10S")
        Duration eventLoopStall();
    }

    /** Delivery of new messages to bots' webhook URLs. */
    interface Webhooks {
        /** Whether this instance delivers (any number of instances may: each message goes out from one). */
        @WithDefault("true")
        boolean enabled();

        /**
         * Whether webhook URLs may point at loopback and link-local addresses (this host, cloud metadata
         * services): off, so that a bot's owner cannot make the service call itself.
         */
        @WithDefault("false")
        boolean allowLocal();

        /**
         * Private networks webhook URLs may reach after all, as CIDR blocks (e.g. a bot service inside
         * the cluster, {@code 10.42.0.0/16}); every other private, shared (CGNAT), unique-local or
         * reserved address is refused.
         */
        Optional<List<String>> allowedNetworks();

        /** How often an instance looks for messages to deliver. */
        @WithDefault("PT1S")
        Duration pollInterval();

        /** How long one delivery may take, connecting included, before it counts as failed. */
        @WithDefault("PT10S")
        Duration timeout();

        /** The wait before the first retry; each further retry waits twice as long, up to five minutes. */
        @WithDefault("PT1S")
        Duration backoff();

        /** How long a message is retried before it is given up and the next one is delivered. */
        @WithDefault("PT1H")
        Duration retryFor();
    }

    /** Who is online in a room, across instances. */
    interface Presence {
        /**
         * How long an instance's word that a user is online lasts unless renewed (each instance renews
         * its own every third of it): a crashed instance's users go offline by themselves within it.
         */
        @WithDefault("PT30S")
        Duration lease();
    }

    /** Group commit of sends. */
    interface Batch {
        /** Off: one transaction per send (the pre-group-commit path, kept for comparison). */
        @WithDefault("true")
        boolean enabled();

        /** Most sends written in one transaction. */
        @WithDefault("500")
        int maxSize();

        /**
         * Most batches in flight at once, each on its own database connection; a room is in one
         * at a time. At most the pool size ({@code parley.db.pool-size}) less what reads need.
         */
        @WithDefault("2")
        int parallel();
    }

    /** Where the HTTP server (REST and WebSocket) listens; Quarkus's own keys are set from these. */
    interface Http {
        /** The address both the application port and the management port listen on. */
        @WithDefault("0.0.0.0")
        String host();

        @WithDefault("8080")
        int port();

        /**
         * Proxies (addresses or CIDR blocks, e.g. the ingress controller's pod network) whose
         * {@code X-Forwarded-For} names the client. Only a request whose peer is one of them is taken
         * to come from the first address of that header; every other request, and every request when
         * none is configured (the default), comes from its peer. The per-address login and
         * registration limits count by this address. Wired to Quarkus by {@link TrustedProxyForwarding}.
         */
        Optional<List<String>> trustedProxies();
    }

    /** The management port: health ({@code /q/health/...}) and metrics ({@code /q/metrics}), not the API. */
    interface Management {
        @WithDefault("9000")
        int port();
    }

    /** Metrics collection (served on the management port). */
    interface Metrics {
        /**
         * Whether meters record at all. Off, every meter (Parley's, HTTP, WebSocket, JVM) becomes a
         * no-op and {@code /q/metrics} is empty: for measuring what the metrics cost, or a deployment
         * that scrapes nothing.
         */
        @WithDefault("true")
        boolean enabled();
    }

    /** Where PostgreSQL is; the datasource URLs in application.properties are built from these. */
    interface Db {
        @WithDefault("localhost")
        String host();

        @WithDefault("5432")
        int port();

        @WithDefault("parley")
        String name();

        @WithDefault("postgres")
        String user();

        Optional<String> password();

        /** Connections of the reactive pool, per instance. */
        @WithDefault("20")
        int poolSize();
    }

    interface Redis {
        /** Without Redis an instance fans out in-process: the single-instance embedded default. */
        @WithDefault("false")
        boolean enabled();

        /**
         * The Redis server ({@code quarkus.redis.hosts}, which every Redis connection uses):
         * {@code redis://host:port/db}, {@code rediss://} for TLS. A password goes in
         * {@code QUARKUS_REDIS_PASSWORD} rather than here, so that it can come from a Secret.
         */
        @WithDefault("redis://localhost:6379")
        String url();

        /** Every Redis key and channel of Parley starts with this. */
        @WithDefault("parley:")
        String channelPrefix();

        /** Redis Cluster's sharded pub/sub (SSUBSCRIBE/SPUBLISH) instead of classic pub/sub. */
        @WithDefault("false")
        boolean sharded();
    }

    interface Auth {
        /** The {@code iss} of tokens Parley mints for built-in accounts and bots. */
        @WithDefault("parley")
        String issuer();

        /** The {@code aud} Parley puts in its tokens and requires in every token it accepts. */
        @WithDefault("parley")
        String audience();

        @WithDefault("PT1H")
        Duration tokenLifetime();

        /** How long a refresh token of a built-in account lasts (each refresh hands out a new one). */
        @WithDefault("P30D")
        Duration refreshLifetime();

        /** Built-in registration; off where Keycloak owns the users ({@code register} answers 403). */
        @WithDefault("true")
        boolean registration();

        /**
         * PKCS#8 PEM private key that signs Parley's tokens. Required in production (a Kubernetes
         * Secret); in dev and test a key pair is generated when none is configured.
         */
        String signingKey();

        /** The matching public key (PEM or bare base64), used by the OIDC layer to verify our tokens. */
        String publicKey();
    }

    interface Keycloak {
        @WithDefault("false")
        boolean enabled();

        /** The realm URL, e.g. {@code https://sso.example.com/realms/parley}. */
        String url();

        @WithDefault("parley")
        String audience();

        /**
         * The realm's public client the web app signs in with (authorization code with PKCE); its
         * redirect URI is the app's page, {@code https://<parley host>/}.
         */
        @WithDefault("parley-web")
        String webClientId();
    }

    interface Websocket {
        /**
         * Origins a browser may open {@code /ws} from. Requests without an Origin header (non-browser
         * clients) are always allowed; {@code *} allows every origin.
         */
        @WithDefault("http://localhost:8080,http://127.0.0.1:8080")
        List<String> allowedOrigins();

        /**
         * On shutdown, how long frames already being handled get to finish before every connection
         * is closed with 1001, and then how long those closes may take.
         */
        @WithDefault("PT5S")
        Duration drainTimeout();

        /**
         * How often each instance re-checks, in one query, that every local subscriber may still read
         * its room (its subscription ends if not, even when the event that should have ended it was lost).
         */
        @WithDefault("PT10S")
        Duration recheckInterval();

        /**
         * How often each instance reads, in one query, the newest seq of every room with local
         * subscribers, and fetches what its live stream lacks: bounds how long a room stays behind
         * after a publish lost right before the room fell silent.
         */
        @WithDefault("PT2S")
        Duration catchUpInterval();

        /**
         * How long a live entry that arrived ahead of a missing one is held before the missing ones
         * are fetched from PostgreSQL (an entry merely overtaken on the way arrives well within it).
         */
        @WithDefault("PT0.25S")
        Duration gapTimeout();
    }

    interface Limits {
        /** Longest message text, in Unicode code points. */
        @WithDefault("4000")
        int textLength();

        /**
         * Largest attachment, in bytes. The HTTP body limit ({@code quarkus.http.limits.max-body-size})
         * is set 1 MiB above it, so that a file over this size is refused by Parley with problem+json.
         */
        @WithDefault("10485760")
        long attachmentSize();

        /** Largest WebSocket frame answered normally; larger frames up to 1 MiB get {@code too_large}. */
        @WithDefault("65536")
        int frameSize();

        /** Sends per connection per second (token bucket); 0 disables the limit. */
        @WithDefault("20")
        int sendRate();

        @WithDefault("40")
        int sendBurst();

        @WithDefault("200")
        int subscriptions();

        @WithDefault("200")
        int historyPage();

        /**
         * Bytes of events that may wait for one slow client before its connection is closed with
         * 1013; bounds the server memory a client that stops reading can hold.
         */
        @WithDefault("1048576")
        long outboundBuffer();

        /** Failed logins tolerated per username and per client address within the window. */
        LoginFailures loginFailures();

        /** Registrations per client address within the login-failure window; 0 = no limit. */
        @WithDefault("20")
        int registrations();

        /**
         * Requests (WebSocket frames and REST calls) per user per second, over all their connections
         * and every instance (token bucket); 0 = no limit.
         */
        @WithDefault("50")
        int userRate();

        @WithDefault("100")
        int userBurst();

        /** Open WebSocket connections per user, over every instance; 0 = no limit. */
        @WithDefault("20")
        int connectionsPerUser();

        /** Rooms a user may create per hour; 0 = no limit. */
        @WithDefault("30")
        int roomCreations();

        /** Invitations (new members added) a user may make per hour; 0 = no limit. */
        @WithDefault("60")
        int invitations();

        /** Direct rooms a user may open per hour (re-opening one that exists is not counted); 0 = no limit. */
        @WithDefault("60")
        int directRooms();

        /** Attachments a user may upload per hour; 0 = no limit. */
        @WithDefault("60")
        int attachments();

        /** Bots one user may own at a time (revoked ones do not count); 0 = no limit. */
        @WithDefault("20")
        int bots();

        /**
         * How long a connection may take to deliver a whole HTTP request, headers and body, counted
         * from its first byte (from the accept for a new connection); then it is closed. A deadline,
         * not an idle timeout: a client trickling one byte every few seconds is closed all the same. A
         * body earns time of its own: each 16 KiB received adds a second, so a slow upload arrives.
         */
        @WithDefault("PT30S")
        Duration requestTimeout();

        /**
         * How long a WebSocket may stay silent (no frame from the client, no answer to the server's
         * ping) before it is closed with 1001; the server pings a client silent for a third of it.
         * A message in fragments must also end within it.
         */
        @WithDefault("PT60S")
        Duration socketIdle();
    }

    /** Failed logins before login answers 429; 0 = no limit. */
    interface LoginFailures {
        @WithDefault("5")
        int username();

        @WithDefault("20")
        int address();

        @WithDefault("PT5M")
        Duration window();
    }
}
