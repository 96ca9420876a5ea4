package io.roomcast.gateway.testing;

import io.roomcast.games.BundledGames;
import io.roomcast.core.loop.Clock;
import io.roomcast.core.room.RoomType;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.config.NodeConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Starts real nodes on a free loopback port. */
public final class TestNodes {

    private TestNodes() {}

    public static Node start() {
        return start(config -> {});
    }

    public static Node start(Consumer<NodeConfig> tweak) {
        return new Node(config(tweak)).start();
    }

    /** A node that hosts the built-in games and {@code moreGames} (test-only room types, see {@link TestGames}). */
    public static Node startWith(List<RoomType<?>> moreGames, Consumer<NodeConfig> tweak) {
        List<RoomType<?>> games = new ArrayList<>(BundledGames.all());
        games.addAll(moreGames);
        return new Node(config(tweak), games, Clock.SYSTEM).start();
    }

    private static NodeConfig config(Consumer<NodeConfig> tweak) {
        NodeConfig config = NodeConfig.defaults();
        config.host = "127.0.0.1";
        config.port = 0;
        config.nodeId = "";
        tweak.accept(config);
        return config;
    }
}
