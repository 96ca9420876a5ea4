package io.roomcast.gateway.auth;

import io.roomcast.gateway.config.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Base64;

/** The authenticator a node's settings ask for ({@code --auth}). */
public final class Authenticators {

    private static final Logger log = LoggerFactory.getLogger(Authenticators.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Authenticators() {}

    /**
     * Open: anyone, as the name they give; the player id is a fresh random one per session (the
     * node's behaviour before authentication existed). No token is read.
     */
    public static Authenticator open() {
        return attempt -> {
            byte[] id = new byte[9];
            RANDOM.nextBytes(id);
            return new Authenticator.Accepted(new Identity(Base64.getUrlEncoder().withoutPadding().encodeToString(id),
                    attempt.playerName()));
        };
    }

    /**
     * From the settings: {@code jwt} with the secret; {@code open}; or {@code auto} (the default):
     * open on the embedded demo node, jwt in a cluster given a secret, and a cluster given no
     * secret runs open and says so loudly at start.
     */
    public static Authenticator fromConfig(NodeConfig config) {
        String mode = config.auth == null ? "auto" : config.auth.strip();
        boolean hasSecret = config.authJwtSecret != null && !config.authJwtSecret.isBlank();
        if (mode.equals("jwt") || (mode.equals("auto") && hasSecret)) {
            return new JwtAuthenticator(config.authJwtSecret, config.authClockSkewSeconds, config.authJwtIssuer,
                    config.authJwtAudience);
        }
        if (mode.equals("auto") && !config.embedded()) {
            log.warn("""
                    
                    ************************************************************************
                    * AUTHENTICATION IS OFF: this cluster node lets anyone in as any name. *
                    * Set AUTH_JWT_SECRET (--auth-jwt-secret) to require signed tokens,    *
                    * or AUTH=open (--auth open) to say that open is what you want.        *
                    ************************************************************************""");
        } else {
            log.info("authentication: open (anyone may connect, as the name they give)");
        }
        return open();
    }
}
