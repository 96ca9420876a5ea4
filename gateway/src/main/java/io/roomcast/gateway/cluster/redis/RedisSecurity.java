package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.StaticCredentialsProvider;

import java.io.File;

/**
 * How a node proves itself to Redis and checks Redis back: a password (Redis {@code requirepass})
 * or an ACL user and its password, and for {@code rediss://} URLs the CA that signed the server's
 * certificate (the JDK's trust store when none is given). Credentials may also be in the URL
 * ({@code redis://user:password@host:port}); these settings win over it, and keep the password
 * out of the URL, which is logged. Immutable.
 *
 * @param user     the ACL user, or blank for {@code default}
 * @param password blank for none
 * @param caFile   a PEM file of CA certificates to trust for TLS, or blank
 */
public record RedisSecurity(String user, String password, String caFile) {

    public static final RedisSecurity NONE = new RedisSecurity("", "", "");

    /** Applies the credentials to {@code uri}. */
    void apply(RedisURI uri) {
        if (password != null && !password.isEmpty()) {
            uri.setCredentialsProvider(new StaticCredentialsProvider(
                    user == null || user.isBlank() ? null : user, password.toCharArray()));
        }
    }

    /** TLS options: the CA file to trust, if one is set; null otherwise (Lettuce's defaults). */
    SslOptions sslOptions() {
        if (caFile == null || caFile.isBlank()) {
            return null;
        }
        return SslOptions.builder().jdkSslProvider().trustManager(new File(caFile)).build();
    }

    /** The URL with any password in it masked, for logs. */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("(rediss?://)([^@/]*)@", "$1***@");
    }

    @Override
    public String toString() {
        return "RedisSecurity[user=" + user + ", password=" + (password == null || password.isEmpty() ? "none" : "***")
                + ", caFile=" + caFile + "]";
    }
}
