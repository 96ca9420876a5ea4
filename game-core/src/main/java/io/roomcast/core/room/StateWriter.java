package io.roomcast.core.room;

import com.google.protobuf.MessageLite;

/** Receives a room's whole state, entity by entity, once per tick. */
public interface StateWriter {

    /**
     * One entity of the state. Ids are the room's own (e.g. a seat number, or an object
     * counter); an id written in the previous tick and not in this one is sent as removed.
     */
    void entity(int id, MessageLite data);
}
