package io.roomcast.gateway.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Signed tokens from the game's own login server: a JWT signed with HMAC-SHA256 under a secret
 * the two share. Checked (by nimbus-jose-jwt): the signature, the algorithm (HS256 only: a
 * token saying {@code none} or any other algorithm is refused), {@code exp} (required) and
 * {@code nbf} within the clock skew, and {@code iss} / {@code aud} when configured. The player
 * id is {@code sub}; the name is the {@code name} claim, or the Hello's {@code player_name} when
 * the token has none. Thread-safe.
 */
public final class JwtAuthenticator implements Authenticator {

    /** HS256 needs a key of at least 256 bits. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    /**
     * @param secret           the shared secret, at least {@link #MIN_SECRET_BYTES} bytes of UTF-8
     * @param clockSkewSeconds how far {@code exp} and {@code nbf} may be off
     * @param issuer           the required {@code iss}, or null/blank for any
     * @param audience         the required {@code aud}, or null/blank for any
     */
    public JwtAuthenticator(String secret, int clockSkewSeconds, String issuer, String audience) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("an HS256 secret is at least " + MIN_SECRET_BYTES + " bytes");
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(key)));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (issuer != null && !issuer.isBlank()) {
            exact.issuer(issuer);
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                audience == null || audience.isBlank() ? null : Set.of(audience), exact.build(), Set.of("sub", "exp"), null);
        claims.setMaxClockSkew(clockSkewSeconds);
        processor.setJWTClaimsSetVerifier(claims);
    }

    @Override
    public Verdict verify(Attempt attempt) {
        if (attempt.token().isEmpty()) {
            return new Refused("this node needs an auth_token in the hello");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(attempt.token(), null);
        } catch (Exception e) {
            // Not for the client: which check failed helps an attacker more than a player.
            log.debug("token refused from {}: {}", attempt.remoteAddress(), e.toString());
            return new Refused("auth_token invalid or expired");
        }
        String name = claims.getClaim("name") instanceof String claimed ? claimed.strip() : attempt.playerName();
        try {
            return new Accepted(new Identity(claims.getSubject(), name));
        } catch (IllegalArgumentException e) {
            log.debug("token with an unusable identity from {}: {}", attempt.remoteAddress(), e.getMessage());
            return new Refused("auth_token names no usable player: " + e.getMessage());
        }
    }
}
