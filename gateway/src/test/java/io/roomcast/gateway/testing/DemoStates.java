package io.roomcast.gateway.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.proto.games.demo.DemoEntity;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.KeyframeRequest;
import io.roomcast.proto.v1.SeatInput;
import io.roomcast.proto.v1.State;

/** What tests read from the states of the demo game (orb-rush) and of any room. */
public final class DemoStates {

    private DemoStates() {}

    /** Whether an orb-rush state has the avatar of {@code seat}. */
    public static boolean hasAvatar(State state, int seat) throws InvalidProtocolBufferException {
        for (Entity entity : state.getEntitiesList()) {
            DemoEntity decoded = DemoEntity.parseFrom(entity.getData());
            if (decoded.hasAvatar() && decoded.getAvatar().getSeat() == seat) {
                return true;
            }
        }
        return false;
    }

    /** The last input seq the state lists as applied for {@code seat}; -1 when none is listed. */
    public static int applied(State state, int seat) {
        return state.getAppliedList().stream().filter(a -> a.getSeat() == seat).mapToInt(SeatInput::getSeq).findFirst().orElse(-1);
    }

    /** Asks for a keyframe of the room (after dropping what the client had received) and returns it. */
    public static State freshKeyframe(TestClient client, String room) throws InterruptedException {
        client.drain();
        client.send(ClientFrame.newBuilder().setKeyframeRequest(KeyframeRequest.newBuilder().setRoomId(room)).build());
        return client.await(f -> f.hasState() && f.getState().getKeyframe()).getState();
    }

    /** The epoch of a lease value {@code node:epoch}. */
    public static long epochOf(String lease) {
        return Long.parseLong(lease.substring(lease.lastIndexOf(':') + 1));
    }
}
