package io.roomcast.core.room;

/** The answer of {@link Room#onEvent}: what the framework does with a player's event. */
public sealed interface EventDecision {

    /** Deliver it as addressed (and acknowledge it). */
    record Relay() implements EventDecision {}

    /** The room acted on it; deliver nothing (but acknowledge it). */
    record Consume() implements EventDecision {}

    /** Refuse it: the sender's ack carries EVENT_REJECTED and the reason. */
    record Reject(String reason) implements EventDecision {}

    static EventDecision relay() {
        return new Relay();
    }

    static EventDecision consume() {
        return new Consume();
    }

    static EventDecision reject(String reason) {
        return new Reject(reason);
    }
}
