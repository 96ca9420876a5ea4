package io.roomcast.gateway;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The jar's entry point ({@code java -jar gateway/target/roomcast-gateway.jar}): on a Java older
 * than 21 it says so in one line, instead of the JVM's {@code UnsupportedClassVersionError}, then
 * runs {@link Main}. Compiled for Java 11 (gateway/pom.xml, execution {@code launcher}), so it
 * must use nothing newer and names {@code Main} only as a string.
 */
public final class Launcher {

    static final int REQUIRED_JAVA = 21;

    private Launcher() {}

    public static void main(String[] args) throws Throwable {
        String version = System.getProperty("java.specification.version", "");
        if (feature(version) < REQUIRED_JAVA) {
            System.err.println(tooOld(System.getProperty("java.version"), System.getProperty("java.home")));
            System.exit(1);
        }
        MethodHandles.publicLookup()
                .findStatic(Class.forName("io.roomcast.gateway.Main"), "main", MethodType.methodType(void.class, String[].class))
                .invokeExact(args);
    }

    /** The feature version of a {@code java.specification.version}: "17" is 17, "1.8" is 8; 0 when unreadable. */
    static int feature(String specificationVersion) {
        String v = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
    }

    /** The one line printed on a Java older than 21. */
    static String tooOld(String javaVersion, String javaHome) {
        return "roomcast: the node needs Java " + REQUIRED_JAVA + " or newer; this is Java " + javaVersion + " (" + javaHome
                + "). Run the jar with a java >= " + REQUIRED_JAVA + " (/path/to/jdk-" + REQUIRED_JAVA
                + "/bin/java -jar gateway/target/roomcast-gateway.jar), or start the node with ./roomcast, which finds one.";
    }
}
