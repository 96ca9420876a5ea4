// @roomcast/client against a real node (the gateway jar, started here): what a game sees.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { WebSocket } from 'ws';
import { CloseCode, RoomcastClient, RoomcastError } from '../dist/esm/index.js';
import { eventually, next, startNode } from './gateway.mjs';

const protoDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto', 'src', 'main', 'protobuf');
const demo = protobuf.loadSync(join(protoDir, 'roomcast', 'games', 'demo.proto'));
const DemoInput = demo.lookupType('roomcast.games.demo.DemoInput');
const DemoEntity = demo.lookupType('roomcast.games.demo.DemoEntity');

let node;
const clients = [];

/** A connected client, closed after the tests. */
async function player(name, options = {}) {
  const client = new RoomcastClient(options);
  clients.push(client);
  await client.connect(node.wsUrl, { name });
  return client;
}

/** Every 'chat' event a client receives, in order. */
function chats(client) {
  const seen = [];
  client.on('event', (e) => { if (e.name === 'chat') seen.push({ text: e.text(), offset: e.offset }); });
  return seen;
}

before(async () => { node = await startNode({ TICK_PHASES: '2' }); });
after(async () => {
  for (const client of clients) client.close();
  await node?.stop();
});

describe('a client against a real node', () => {
  it('says hello and is welcomed with a session, the node id and its limits', async () => {
    const client = new RoomcastClient();
    clients.push(client);
    const statuses = [];
    client.on('status', ({ status }) => statuses.push(status));
    const connected = next(client, 'connect');
    const welcome = await client.connect(node.wsUrl, { name: 'Alice' });
    assert.equal(welcome.protocolVersion, 1);
    assert.ok(welcome.sessionId.length > 0);
    assert.equal(client.sessionId, welcome.sessionId);
    assert.ok(welcome.nodeId.startsWith('node-'));
    assert.equal(welcome.resumed, false);
    assert.equal(welcome.limits.maxFrameBytes, 16384);
    assert.equal(typeof welcome.serverTimeMs, 'number');
    assert.deepEqual(await connected, welcome);
    assert.deepEqual(statuses, ['connecting', 'connected']);
  });

  it('rejects connect with INVALID_ARGUMENT for a name the node refuses, and does not retry', async () => {
    const client = new RoomcastClient();
    clients.push(client);
    await assert.rejects(client.connect(node.wsUrl, { name: '' }),
      (err) => err instanceof RoomcastError && err.code === 'INVALID_ARGUMENT');
    assert.equal(client.status, 'closed');
  });

  it('joins by quick-join, by name (join-or-create) and by id, with the keyframe as the first state', async () => {
    const ann = await player('Ann');
    const ben = await player('Ben');
    const firstState = next(ann, 'state');
    const quick = await ann.quickJoin('orb-rush');
    assert.equal(quick.gameType, 'orb-rush');
    assert.equal(quick.playerId, ann.sessionId);
    assert.equal(quick.resumed, false);
    const state = await firstState;
    assert.equal(state.keyframe, true);
    assert.equal(state.roomId, quick.roomId);
    assert.ok(state.entities.size > 0, 'orbs and the avatar');

    const named = await ann.joinOrCreate('sdk-table', 'four-in-a-row', { mode: 'casual' });
    assert.equal(named.roomId, 'sdk-table');
    // Where the room ticks: two phases (TICK_PHASES above) put it at 0 or half its period, by the
    // Java String.hashCode of its id; the room view keeps what the Joined said.
    let hash = 0;
    for (const c of 'sdk-table') hash = (Math.imul(31, hash) + c.charCodeAt(0)) | 0;
    assert.equal(named.tickRateHz, 10);
    assert.equal(named.tickOffsetUs, (hash & 1) * 50_000);
    assert.equal(ann.rooms.get('sdk-table').tickOffsetUs, named.tickOffsetUs);
    const byId = await ben.joinById('sdk-table');
    assert.equal(byId.gameType, 'four-in-a-row');
    assert.equal(byId.seat, 1);
    assert.deepEqual([...ann.rooms.keys()].sort(), [quick.roomId, 'sdk-table'].sort());
  });

  it('sends joins one at a time, so answers cannot cross, and rejects a failed one with its typed code', async () => {
    const cal = await player('Cal');
    const [orbs, table, ranked, missing] = await Promise.allSettled([
      cal.join({ gameType: 'orb-rush' }),
      cal.join({ roomId: 'sdk-crossing', gameType: 'four-in-a-row' }),
      cal.join({ gameType: 'four-in-a-row', options: { mode: 'ranked' } }),
      cal.join({ roomId: 'no-such-room' }),
    ]);
    assert.equal(orbs.value.gameType, 'orb-rush');
    assert.equal(table.value.roomId, 'sdk-crossing');
    assert.equal(ranked.value.gameType, 'four-in-a-row');
    assert.notEqual(ranked.value.roomId, 'sdk-crossing');
    assert.ok(missing.reason instanceof RoomcastError);
    assert.equal(missing.reason.code, 'ROOM_NOT_FOUND');
    assert.ok(missing.reason.requestId > 0);
  });

  it('applies inputs: the seq sent comes back in the state, and the game hook decodes the entities', async () => {
    const dan = await player('Dan', { decodeEntity: (bytes) => DemoEntity.decode(bytes) });
    const { roomId, seat } = await dan.quickJoin('orb-rush', { sdk: 'inputs' });
    const avatar = () => [...dan.rooms.get(roomId).entities.values()].find((e) => e.avatar?.seat === seat)?.avatar;
    const startX = (await eventually(() => avatar(), { what: 'the avatar' })).x;
    let seq = 0;
    for (let i = 0; i < 5; i += 1) seq = dan.sendInput(roomId, DemoInput.encode({ dx: 1, dy: 0 }).finish());
    assert.equal(seq, 5);
    const applied = await next(dan, 'state', (s) => s.roomId === roomId && s.mySeq === 5);
    assert.equal(applied.applied.get(seat), 5);
    await eventually(() => avatar().x > startX + 5, { what: 'the avatar to move right' });
  });

  it('resolves an acked emit, and rejects a refused one with EVENT_REJECTED and the room\'s reason', async () => {
    const eve = await player('Eve');
    const fay = await player('Fay');
    const { roomId } = await eve.quickJoin('orb-rush', { sdk: 'emit' });
    await fay.joinById(roomId);
    const heard = next(fay, 'event', (e) => e.name === 'chat');
    const ack = await eve.emit(roomId, 'chat', 'hello', { ack: true });
    assert.ok(ack.ackId > 0);
    const event = await heard;
    assert.equal(event.text(), 'hello');
    assert.equal(event.fromPlayer, eve.sessionId);
    assert.ok(event.offset > 0);
    assert.equal(ack.eventOffset, event.offset, 'the ack carries the event\'s place in the room\'s log');

    const table = await eve.joinOrCreate('sdk-emit-table', 'four-in-a-row');
    await assert.rejects(eve.emit(table.roomId, 'drop', new Uint8Array([8, 3]), { ack: true }),
      (err) => err instanceof RoomcastError && err.code === 'EVENT_REJECTED' && err.serverMessage === 'no round in progress');
  });

  it('pings: an RTT and a clock offset', async () => {
    const gus = await player('Gus');
    const sample = await gus.ping();
    assert.ok(sample.rttMs >= 0 && sample.rttMs < 1000);
    assert.ok(Math.abs(sample.offsetMs) < 1000, 'one machine: the clocks agree');
    assert.equal(gus.rttMs, gus.clock.rttMs);
    assert.ok(Math.abs(gus.serverNow() - Date.now()) < 1000);
  });

  it('reconnects after a dropped socket, resumes the seat, and gets every event exactly once', async () => {
    // Sockets go through this class, so the test can cut one and hold reconnects back.
    const sockets = [];
    let refuse = false;
    class TestSocket extends WebSocket {
      constructor(url) {
        super(refuse ? 'ws://127.0.0.1:9/ws' : url); // port 9: refused at once
        sockets.push(this);
      }
    }
    const hal = await player('Hal', { WebSocket: TestSocket, reconnect: { baseMs: 20, capMs: 100 } });
    const ivy = await player('Ivy');
    const { roomId, seat } = await hal.quickJoin('orb-rush', { sdk: 'resume' });
    await ivy.joinById(roomId);
    const heard = chats(hal);
    await ivy.emit(roomId, 'chat', 'one', { ack: true });
    await eventually(() => heard.length === 1, { what: 'event one' });
    hal.sendInput(roomId, DemoInput.encode({ dx: 0, dy: 1 }).finish());

    refuse = true;
    const lost = next(hal, 'disconnect');
    sockets.at(-1).terminate(); // no close frame: the TCP connection just ends
    const disconnect = await lost;
    assert.equal(disconnect.code, CloseCode.ABNORMAL);
    assert.equal(disconnect.willReconnect, true);
    assert.equal(disconnect.error, undefined);
    await ivy.emit(roomId, 'chat', 'two', { ack: true });   // into the room's log while Hal is away
    await ivy.emit(roomId, 'chat', 'three', { ack: true });
    await next(hal, 'reconnecting');

    const rejoined = next(hal, 'joined', (j) => j.roomId === roomId);
    const reconnected = next(hal, 'reconnect');
    refuse = false;
    assert.equal((await reconnected).resumed, true);
    const joined = await rejoined;
    assert.equal(joined.resumed, true);
    assert.equal(joined.seat, seat);
    await ivy.emit(roomId, 'chat', 'four', { ack: true });
    await eventually(() => heard.length >= 4, { what: 'four events' });
    await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive now
    assert.deepEqual(heard.map((e) => e.text), ['one', 'two', 'three', 'four']);
    assert.deepEqual(heard.map((e) => e.offset), [...heard.map((e) => e.offset)].sort((a, b) => a - b));
    assert.equal(new Set(heard.map((e) => e.offset)).size, 4);
    // The seat's input sequence goes on where it was.
    assert.equal(hal.sendInput(roomId, DemoInput.encode({ dx: 0, dy: -1 }).finish()), 2);
    await next(hal, 'state', (s) => s.roomId === roomId && s.mySeq === 2);
  });

  // Node >= 22 has a global WebSocket; Node 20.10+ has it behind a flag; older Node has none.
  const [major, minor] = process.versions.node.split('.').map(Number);
  const flag = globalThis.WebSocket ? [] : ['--experimental-websocket'];
  it('runs on Node\'s own WebSocket where there is one (browsers\' API, no ws package needed)', {
    skip: !globalThis.WebSocket && (major < 20 || (major === 20 && minor < 10)) && 'no WebSocket in this Node',
  }, () => {
    const script = `
      import { RoomcastClient } from ${JSON.stringify(new URL('../dist/esm/index.js', import.meta.url).href)};
      const client = new RoomcastClient();
      await client.connect(process.argv[1], { name: 'native' });
      const room = await client.quickJoin('orb-rush');
      const sample = await client.ping();
      client.close();
      console.log(JSON.stringify({ global: typeof WebSocket, game: room.gameType, rtt: sample.rttMs }));`;
    const out = JSON.parse(execFileSync(process.execPath, [...flag, '--input-type=module', '-e', script, node.wsUrl],
      { encoding: 'utf8', timeout: 20000 }));
    assert.equal(out.global, 'function');
    assert.equal(out.game, 'orb-rush');
    assert.ok(out.rtt >= 0);
  });

  it('surfaces SESSION_REPLACED as a typed error when its session is resumed on another socket, and stops', async () => {
    const jon = await player('Jon');
    const { roomId } = await jon.quickJoin('orb-rush', { sdk: 'replaced' });
    const errors = [];
    jon.on('error', (e) => errors.push(e));
    const lost = next(jon, 'disconnect');
    const other = new RoomcastClient();
    clients.push(other);
    const back = next(other, 'joined');
    const welcome = await other.connect(node.wsUrl, { name: 'Jon', resumeToken: jon.welcome.resumeToken });
    assert.equal(welcome.resumed, true);
    assert.equal(welcome.sessionId, jon.sessionId);
    const joined = await back;
    assert.equal(joined.roomId, roomId);
    assert.equal(joined.resumed, true);

    const disconnect = await lost;
    assert.equal(disconnect.code, CloseCode.SESSION_REPLACED);
    assert.equal(disconnect.willReconnect, false);
    assert.ok(disconnect.error instanceof RoomcastError);
    assert.equal(disconnect.error.code, 'CONNECTION_CLOSED');
    assert.equal(disconnect.error.closeCode, CloseCode.SESSION_REPLACED);
    assert.equal(jon.status, 'closed');
    assert.deepEqual(errors.map((e) => e.closeCode), [4009]);
    await assert.rejects(jon.join({ gameType: 'orb-rush' }), (err) => err.code === 'NOT_CONNECTED');
  });
});
