package io.roomcast.gateway.browser;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The demo's client (client.js: @roomcast/client when the build had node, else the fallback
 * roomcast-client.js) in a real Chromium against a real node: quick-join with options,
 * join-or-create, a refused option, and the join of before (no options) still working.
 */
class ClientJoinOptionsBrowserTest {

    /** Four clients of the page's own client; answers what each join gave. */
    private static final String SCRIPT = """
            const done = arguments[arguments.length - 1];
            (async () => {
              const { CLIENT_KIND, createClient, defaultUrl } = await import('/client.js');
              const clients = [];
              let Board;
              const player = async (name) => {
                const { client, type } = await createClient(['/proto/roomcast/games/fourinarow.proto']);
                Board = type('roomcast.games.fourinarow.Board');
                await client.connect(defaultUrl(), { name });
                clients.push(client);
                return client;
              };
              const mode = (client, roomId) => new Promise((resolve) => {
                const board = () => client.rooms.get(roomId)?.entities.get(0);
                const read = () => Board.decode(board()).mode;
                if (board()) { resolve(read()); return; }
                client.on('state', (s) => { if (s.roomId === roomId && board()) resolve(read()); });
              });
              try {
                const [ann, ben, cal, dan] = [await player('ann'), await player('ben'), await player('cal'), await player('dan')];
                const a = await ann.join({ gameType: 'four-in-a-row', options: { mode: 'ranked' } });
                const b = await ben.join({ gameType: 'four-in-a-row', options: { mode: 'ranked' } });
                const c = await cal.joinOrCreate('js-table', 'four-in-a-row', { mode: 'casual' });
                const d = await dan.join({ roomId: 'js-table', gameType: 'four-in-a-row', options: { mode: 'ranked' } });
                let refused = 'not refused';
                try {
                  await dan.join({ gameType: 'bench-arena', options: { 'no spaces': 'x' } });
                } catch (err) {
                  refused = err.message;
                }
                const plain = await dan.join({ gameType: 'orb-rush' });
                return { kind: CLIENT_KIND, ranked: a.roomId, rankedToo: b.roomId, modeOfRanked: await mode(ben, b.roomId),
                         named: c.roomId, namedJoined: d.roomId, modeOfNamed: await mode(dan, d.roomId),
                         refused, plain: plain.gameType };
              } finally {
                clients.forEach((client) => client.close());
              }
            })().then(done, (err) => done({ error: String(err) }));
            """;

    private Node node;
    private GamePage page;

    @BeforeEach
    void start() throws Exception {
        node = TestNodes.start();
        page = GamePage.fourInARow();
    }

    @AfterEach
    void stop() {
        try (GamePage p = page) {
            node.stop();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void quickJoinWithOptionsJoinOrCreateAndTheJoinOfBefore() {
        page.open("http://127.0.0.1:" + node.port() + "/?game=four-in-a-row"); // no name: the page joins nothing
        page.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        Map<String, Object> result = (Map<String, Object>) ((JavascriptExecutor) page.driver()).executeAsyncScript(SCRIPT);

        assertEquals(null, result.get("error"), "the script failed: " + result);
        assertEquals(GamePage.expectedClient(), result.get("kind"));
        assertEquals(result.get("ranked"), result.get("rankedToo"), "two ranked quick-joins meet: " + result);
        assertEquals("ranked", result.get("modeOfRanked"));
        assertEquals("js-table", result.get("named"));
        assertEquals("js-table", result.get("namedJoined"), "{roomId, gameType} is join-or-create");
        assertNotEquals(result.get("ranked"), result.get("named"));
        assertEquals("casual", result.get("modeOfNamed"), "joining the existing named room ignored dan's options");
        assertEquals("INVALID_ARGUMENT: an option name is 1..32 of [A-Za-z0-9_.-]", result.get("refused"));
        assertEquals("orb-rush", result.get("plain"));
    }
}
