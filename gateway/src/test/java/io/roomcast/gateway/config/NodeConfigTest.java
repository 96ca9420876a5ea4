package io.roomcast.gateway.config;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a node's settings accept, and the id a node gets when it is given none. */
class NodeConfigTest {

    @Test
    void aNodeWithoutAnIdGetsSixtyFourRandomBitsSoTwoNodesNeverShareAnInbox() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = NodeConfig.defaults().validate().nodeId;
            assertTrue(id.matches("node-[0-9a-f]{16}"), id);
            ids.add(id);
        }
        assertEquals(1000, ids.size(), "no two of a thousand random ids collide");
    }

    @Test
    void theLifecycleSettingsAreCheckedAtStartWithTheirName() {
        for (String setting : new String[]{"--join-timeout-ms", "--empty-room-ms", "--room-stall-ms", "--room-queue-max"}) {
            NodeConfig config = NodeConfig.defaults();
            switch (setting) {
                case "--join-timeout-ms" -> config.joinTimeoutMs = 0;
                case "--empty-room-ms" -> config.emptyRoomMs = 0;
                case "--room-stall-ms" -> config.roomStallMs = 0;
                default -> config.roomQueueMax = 0;
            }
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, config::validate);
            assertTrue(refused.getMessage().startsWith(setting), refused.getMessage());
        }
    }
}
