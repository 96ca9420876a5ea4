package io.roomcast.bots;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The jar's entry point ({@code java -jar bots/target/roomcast-bots.jar}): on a Java older than
 * 21 it says so in one line, instead of the JVM's {@code UnsupportedClassVersionError}, then runs
 * {@link Main}. Compiled for Java 11 (bots/pom.xml, execution {@code launcher}), so it must use
 * nothing newer and names {@code Main} only as a string.
 */
public final class Launcher {

    static final int REQUIRED_JAVA = 21;

    private Launcher() {}

    public static void main(String[] args) throws Throwable {
        if (feature(System.getProperty("java.specification.version", "")) < REQUIRED_JAVA) {
            System.err.println("roomcast-bots: needs Java " + REQUIRED_JAVA + " or newer; this is Java "
                    + System.getProperty("java.version") + " (" + System.getProperty("java.home") + "). Run the jar with a java >= "
                    + REQUIRED_JAVA + " (e.g. /path/to/jdk-" + REQUIRED_JAVA + "/bin/java -jar bots/target/roomcast-bots.jar ...).");
            System.exit(3); // Main.EXIT_CANNOT_RUN
        }
        MethodHandles.publicLookup()
                .findStatic(Class.forName("io.roomcast.bots.Main"), "main", MethodType.methodType(void.class, String[].class))
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
}
