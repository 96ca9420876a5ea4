// The client's logic without a node: backoff, codes, and frames handed to handleFrame.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backoffDelay, closeCodeName, CloseCode, DEFAULT_RECONNECT, errorCodeName, FATAL_CLOSE_CODES, RoomcastClient,
  RoomcastError, roomcast, encodeClientFrame, decodeServerFrame,
} from '../dist/esm/index.js';

/** A client that believes it is welcomed and in `roomId` (no socket: sends are dropped). */
function clientInRoom(roomId = 'r1', options = {}) {
  const client = new RoomcastClient(options);
  client.handleFrame({ welcome: { sessionId: 'me', nodeId: 'n', resumeToken: 't', limits: {} } });
  client.handleFrame({ joined: { roomId, gameType: 'g', seat: 0, playerId: 'me', tickRateHz: 20, lastEventOffset: 3,
    keyframe: { tick: 10, keyframe: true, entities: [{ id: 1, data: new Uint8Array([1]) }] } } });
  return client;
}

describe('backoff', () => {
  it('draws every delay uniformly from zero up to the capped exponential ceiling (full jitter)', () => {
    assert.equal(DEFAULT_RECONNECT.baseMs, 250);
    assert.equal(DEFAULT_RECONNECT.capMs, 5000);
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 40].map((attempt) => backoffDelay(attempt, {}, () => 1));
    assert.deepEqual(ceilings, [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
    assert.equal(backoffDelay(3, {}, () => 0), 0, 'full jitter reaches zero');
    assert.equal(backoffDelay(2, { baseMs: 100, capMs: 300 }, () => 0.5), 150);
    for (let i = 0; i < 1000; i += 1) {
      const delay = backoffDelay(10);
      assert.ok(delay >= 0 && delay <= 5000);
    }
  });
});

describe('codes', () => {
  it('names close codes and error codes, and knows which closes are fatal', () => {
    assert.equal(closeCodeName(4009), 'SESSION_REPLACED');
    assert.equal(closeCodeName(4999), 'CLOSE_4999');
    assert.equal(errorCodeName(roomcast.v1.ErrorCode.ROOM_FULL), 'ROOM_FULL');
    assert.ok(FATAL_CLOSE_CODES.has(CloseCode.UNSUPPORTED_VERSION));
    assert.ok(!FATAL_CLOSE_CODES.has(CloseCode.SLOW_CONSUMER), 'a slow consumer reconnects and resumes');
    const error = RoomcastError.closed(4003, 'unsupported protocol version');
    assert.ok(error instanceof Error);
    assert.equal(error.code, 'CONNECTION_CLOSED');
    assert.equal(error.closeCode, CloseCode.UNSUPPORTED_VERSION);
  });

  it('encodes a ClientFrame from a plain object and decodes a ServerFrame with the generated codec', () => {
    const bytes = encodeClientFrame({ requestId: 7, join: { gameType: 'orb-rush', options: { mode: 'x' } } });
    const back = roomcast.v1.ClientFrame.decode(bytes);
    assert.equal(back.requestId, 7);
    assert.equal(back.body, 'join');
    assert.equal(back.join.options.mode, 'x');
    const server = roomcast.v1.ServerFrame.encode({ pong: { clientTimeMs: 5, serverTimeMs: 9 } }).finish();
    assert.equal(decodeServerFrame(server).body, 'pong');
  });
});

describe('state', () => {
  it('applies a delta on top of the keyframe, and decodes entities with the game hook', () => {
    const decoded = [];
    const client = clientInRoom('r1', { decodeEntity: (data, id, room) => { decoded.push(id); return { v: data[0], game: room.gameType }; } });
    const states = [];
    client.on('state', (s) => states.push(s));
    client.handleFrame({ state: { roomId: 'r1', tick: 11, entities: [{ id: 2, data: new Uint8Array([2]) }], removed: [1],
      applied: [{ seat: 0, seq: 4 }] } });
    assert.deepEqual([...client.rooms.get('r1').entities], [[2, { v: 2, game: 'g' }]]);
    assert.deepEqual(decoded, [1, 2], 'each entity decoded once, when it changed');
    assert.equal(states.at(-1).mySeq, 4);
    assert.deepEqual(states.at(-1).changed, [2]);
    assert.deepEqual(states.at(-1).removed, [1]);
  });

  it('ignores deltas after a gap until a keyframe arrives', () => {
    const client = clientInRoom();
    const gaps = [];
    client.on('gap', (g) => gaps.push(g));
    client.handleFrame({ state: { roomId: 'r1', tick: 13, entities: [{ id: 5, data: new Uint8Array([5]) }] } });
    client.handleFrame({ state: { roomId: 'r1', tick: 14, entities: [{ id: 6, data: new Uint8Array([6]) }] } });
    assert.deepEqual(gaps, [{ roomId: 'r1', expectedTick: 11, tick: 13 }]);
    assert.deepEqual([...client.rooms.get('r1').entities.keys()], [1]);
    client.handleFrame({ state: { roomId: 'r1', tick: 15, keyframe: true, entities: [{ id: 7, data: new Uint8Array([7]) }] } });
    client.handleFrame({ state: { roomId: 'r1', tick: 16, entities: [{ id: 8, data: new Uint8Array([8]) }] } });
    assert.deepEqual([...client.rooms.get('r1').entities.keys()], [7, 8]);
    assert.equal(client.rooms.get('r1').tick, 16);
  });
});

describe('takeover', () => {
  it('drops a former owner\'s state, and takes a new owner\'s older keyframe as a rollback', () => {
    const client = clientInRoom();
    const rollbacks = [];
    const ticks = [];
    client.on('rollback', (r) => rollbacks.push(r));
    client.on('state', (s) => ticks.push([s.epoch, s.tick]));
    client.handleFrame({ state: { roomId: 'r1', tick: 11, epoch: 5, entities: [] } });
    client.handleFrame({ state: { roomId: 'r1', tick: 12, epoch: 5, entities: [] } });
    client.handleFrame({ state: { roomId: 'r1', tick: 8, epoch: 9, keyframe: true, entities: [{ id: 2, data: new Uint8Array([2]) }] } });
    client.handleFrame({ state: { roomId: 'r1', tick: 13, epoch: 5, entities: [] } });
    client.handleFrame({ state: { roomId: 'r1', tick: 9, epoch: 9, entities: [] } });
    assert.deepEqual(ticks, [[5, 11], [5, 12], [9, 8], [9, 9]], 'the stale epoch-5 tick 13 never shows');
    assert.deepEqual(rollbacks, [{ roomId: 'r1', fromEpoch: 5, toEpoch: 9, fromTick: 12, toTick: 8 }]);
    assert.deepEqual([...client.rooms.get('r1').entities.keys()], [2]);
  });

  it('reports the events a resume could not replay', () => {
    const client = new RoomcastClient();
    const joins = [];
    client.on('joined', (j) => joins.push(j.eventsMissed));
    client.handleFrame({ welcome: { sessionId: 'me', nodeId: 'n', resumeToken: 't', limits: {} } });
    client.handleFrame({ joined: { roomId: 'r1', gameType: 'g', seat: 0, playerId: 'me', tickRateHz: 20, lastEventOffset: 300,
      eventsMissed: 44, keyframe: { tick: 10, keyframe: true, entities: [] } } });
    assert.deepEqual(joins, [44]);
  });
});

describe('events', () => {
  it('drops a room event whose offset it has already seen (a replay overlapping live traffic)', () => {
    const client = clientInRoom();
    const seen = [];
    client.on('event', (e) => seen.push(e.offset));
    for (const offset of [3, 4, 5, 4, 5, 6]) {
      client.handleFrame({ event: { roomId: 'r1', name: 'chat', payload: new Uint8Array(0), offset } });
    }
    client.handleFrame({ event: { name: 'hi', direct: true, payload: new TextEncoder().encode('yo') } });
    assert.deepEqual(seen, [4, 5, 6, 0], 'offset 3 is the join cursor; direct messages have no offset');
    assert.equal(client.rooms.get('r1').lastEventOffset, 6);
  });
});
