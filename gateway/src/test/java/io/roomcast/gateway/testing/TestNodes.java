package io.roomcast.gateway.testing;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.config.NodeConfig;

import java.util.function.Consumer;

/** Starts real nodes on a free loopback port. */
public final class TestNodes {

    private TestNodes() {}

    public static Node start() {
        return start(config -> {});
    }

    public static Node start(Consumer<NodeConfig> tweak) {
        NodeConfig config = NodeConfig.defaults();
        config.host = "127.0.0.1";
        config.port = 0;
        config.nodeId = "";
        tweak.accept(config);
        return new Node(config).start();
    }
}
