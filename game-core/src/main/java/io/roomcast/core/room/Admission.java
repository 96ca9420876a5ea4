package io.roomcast.core.room;

/** The answer of {@link Room#onJoinAttempt}. */
public sealed interface Admission {

    record Accept() implements Admission {}

    record Reject(String reason) implements Admission {}

    static Admission accept() {
        return new Accept();
    }

    static Admission reject(String reason) {
        return new Reject(reason);
    }
}
