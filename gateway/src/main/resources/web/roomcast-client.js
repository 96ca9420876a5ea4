/**
 * roomcast-client.js — a game-agnostic client for the Roomcast protocol, version 1.
 *
 * THE FALLBACK: the demo runs on @roomcast/client (clients/js), bundled by the gateway build
 * when it has node (see client.js); this hand-written module is what the demo uses when the
 * gateway was built without node. Fix bugs in clients/js first; keep this one working.
 *
 * Every WebSocket message is one binary frame holding one `roomcast.v1.ClientFrame` (client to
 * server) or `roomcast.v1.ServerFrame` (server to client). The message types are not generated:
 * the very `.proto` files the server is built from are fetched and parsed at run time with
 * protobufjs (the classic script `/vendor/protobuf.min.js`, global `protobuf`).
 *
 * What this module does for a game:
 * - handshake (Hello / Welcome), quick-join (with creation options), join-or-create by name,
 *   join by id, leave;
 * - per room, the reconstructed entity map from keyframes and deltas, with gap detection and
 *   keyframe requests;
 * - input sequence numbers, events (emit with optional acknowledgement), ping / RTT / clock
 *   offset;
 * - automatic reconnection with exponential backoff and jitter, resuming the seats with the
 *   resume token and per-room event cursors, or re-joining when the resume failed.
 *
 * Usage:
 *   const client = await RoomcastClient.load(['/proto/roomcast/v1/frames.proto', '/proto/my.proto']);
 *   client.on('state', (s) => render(s.entities));
 *   await client.connect(RoomcastClient.defaultUrl(), { name: 'Alice' });
 *   const room = await client.join({ gameType: 'orb-rush' });
 *   // or: client.join({ gameType: 'four-in-a-row', options: { mode: 'ranked' } })
 *   // or: client.joinOrCreate('table-7', 'four-in-a-row', { mode: 'casual' })
 *   client.sendInput(room.roomId, MyInput.encode({ dx: 1, dy: 0 }).finish());
 *
 * Events (`client.on(name, listener)`; each listener gets one plain object):
 * - `status`       {status, previous}         see {@link RoomcastClient#status}
 * - `welcome`      {sessionId, nodeId, resumeToken, serverTimeMs, limits, resumed, protocolVersion}
 * - `joined`       {roomId, gameType, seat, playerId, tickRateHz, tickOffsetUs, lastEventOffset, resumed}
 * - `state`        {roomId, tick, keyframe, entities, changed, removed, applied, mySeq,
 *                   serverTimeMs, receivedAt}   applied: seat -> last applied input seq, only
 *                                               for seats that have had one (else 0)
 * - `gap`          {roomId, expectedTick, tick}   a delta was missed; a keyframe was requested
 * - `event`        {roomId, fromPlayer, name, payload, offset, direct, text()}
 * - `left`         {roomId, reason, detail}     reason: a LeaveReason name, or REJOIN_FAILED when
 *                                               the room was lost in a reconnect
 * - `error`        {code, message, requestId}     an Error frame, or a client-side problem
 * - `rtt`          {rttMs, offsetMs}
 * - `disconnect`   {code, reason, willReconnect}  a welcomed connection was lost (or closed for
 *                                               good); failed attempts only fire `reconnecting`
 * - `reconnecting` {attempt, delayMs}
 * - `reconnect`    {resumed, welcome}          (also as `reconnected`, its old name)
 *
 * @module roomcast-client
 */

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;

/** Where the gateway serves the protocol's own .proto file. */
export const FRAMES_PROTO_URL = '/proto/roomcast/v1/frames.proto';

const CLOSE_NORMAL = 1000;
const CLOSE_UNSUPPORTED_VERSION = 4003;
/** Close code this client uses when it gives up on a silent connection (4000-4999 is free). */
const CLOSE_CLIENT_IDLE = 4000;

const PING_INTERVAL_MS = 2000;
/** A connection that answers nothing this long after a ping (or the Hello) is dropped. */
const PONG_TIMEOUT_MS = 10000;
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 5000;
const REQUEST_TIMEOUT_MS = 10000;
const RESUME_WAIT_MS = 3000;
const KEYFRAME_RETRY_MS = 1000;

/** How decoded frames are turned into plain objects: numbers for 64-bit ints, enum names. */
const TO_OBJECT = { longs: Number, enums: String, defaults: true, oneofs: true };

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** UTF-8 bytes of a string; a Uint8Array is returned as it is. */
export function toBytes(payload) {
  if (payload == null) return new Uint8Array(0);
  if (typeof payload === 'string') return textEncoder.encode(payload);
  if (payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  throw new TypeError('payload must be a string, Uint8Array or ArrayBuffer');
}

/** The UTF-8 text of a payload. */
export function bytesToText(bytes) {
  return textDecoder.decode(bytes);
}

/**
 * An error from the server (an Error or a failed Ack) or from the client itself.
 * `code` is the `roomcast.v1.ErrorCode` name (e.g. `ROOM_FULL`), or a client code such as
 * `DISCONNECTED`, `TIMEOUT`, `NOT_CONNECTED`.
 */
export class RoomcastError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {number} [requestId]
   */
  constructor(code, message, requestId = 0) {
    super(message ? `${code}: ${message}` : code);
    this.name = 'RoomcastError';
    this.code = code;
    this.serverMessage = message;
    this.requestId = requestId;
  }
}

/** A small on/off/once event emitter; listeners get one plain object. */
export class Emitter {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();
  }

  /**
   * Adds a listener.
   * @param {string} type
   * @param {(detail: any) => void} listener
   * @returns {() => void} a function that removes the listener
   */
  on(type, listener) {
    if (!this._listeners.has(type)) this._listeners.set(type, new Set());
    this._listeners.get(type).add(listener);
    return () => this.off(type, listener);
  }

  /** Removes a listener added with {@link Emitter#on}. */
  off(type, listener) {
    this._listeners.get(type)?.delete(listener);
  }

  /** Adds a listener called at most once. */
  once(type, listener) {
    const off = this.on(type, (detail) => {
      off();
      listener(detail);
    });
    return off;
  }

  /** Calls every listener of `type`; a throwing listener is reported, not propagated.
   *  (Named `_fire`, not `emit`: {@link RoomcastClient#emit} sends an event to a room.) */
  _fire(type, detail) {
    for (const listener of [...(this._listeners.get(type) ?? [])]) {
      try {
        listener(detail);
      } catch (err) {
        console.error(`roomcast: '${type}' listener failed`, err);
      }
    }
  }
}

/**
 * Estimates the offset between the server clock and the local clock (`Date.now()`) from
 * ping/pong samples: of the last few samples, the one with the smallest round trip is the most
 * trustworthy (NTP-style, assuming a symmetric path).
 */
export class ClockSync {
  /** @param {number} [window] how many recent samples to keep */
  constructor(window = 8) {
    this.window = window;
    /** @type {{rttMs: number, offsetMs: number}[]} */
    this.samples = [];
  }

  /**
   * Adds one ping/pong exchange.
   * @param {number} clientSendMs local time the ping was sent (`Date.now()`)
   * @param {number} serverMs the server time in the pong
   * @param {number} [clientRecvMs] local time the pong arrived
   * @returns {{rttMs: number, offsetMs: number}} this sample
   */
  addSample(clientSendMs, serverMs, clientRecvMs = Date.now()) {
    const rttMs = Math.max(0, clientRecvMs - clientSendMs);
    const offsetMs = serverMs - (clientSendMs + rttMs / 2);
    const sample = { rttMs, offsetMs };
    this.samples.push(sample);
    if (this.samples.length > this.window) this.samples.shift();
    return sample;
  }

  /** Server time minus local time, in ms (0 before the first sample). */
  get offsetMs() {
    if (this.samples.length === 0) return 0;
    return this.samples.reduce((best, s) => (s.rttMs < best.rttMs ? s : best)).offsetMs;
  }

  /** The latest round-trip time in ms, or NaN before the first sample. */
  get rttMs() {
    return this.samples.length ? this.samples[this.samples.length - 1].rttMs : NaN;
  }

  /** The estimated server time now (or at local time `localMs`). */
  serverNow(localMs = Date.now()) {
    return localMs + this.offsetMs;
  }
}

/**
 * Fetches .proto files and parses them into one protobufjs Root.
 * Files are parsed in the given order; `import` statements are not followed, so list every
 * file needed.
 * @param {string[]} urls
 * @param {{protobuf?: any, fetch?: typeof fetch}} [options] protobufjs (default: the global
 *   `protobuf`) and the fetch function to use
 * @returns {Promise<any>} the resolved protobufjs Root
 */
export async function loadProtos(urls, options = {}) {
  const pb = options.protobuf ?? globalThis.protobuf;
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  if (!pb) throw new Error('protobufjs not loaded: include /vendor/protobuf.min.js first');
  const texts = await Promise.all(urls.map(async (url) => {
    const response = await fetchFn(url);
    if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status}`);
    return response.text();
  }));
  return parseProtos(texts, pb);
}

/**
 * Parses .proto source texts into one protobufjs Root (field names become camelCase).
 * @param {string[]} texts
 * @param {any} pb protobufjs
 */
export function parseProtos(texts, pb = globalThis.protobuf) {
  const root = new pb.Root();
  for (const text of texts) pb.parse(text, root);
  root.resolveAll();
  return root;
}

/**
 * One room this client holds a seat in.
 * @typedef {object} RoomView
 * @property {string} roomId
 * @property {string} gameType
 * @property {number} seat
 * @property {string} playerId
 * @property {number} tickRateHz
 * @property {number} tickOffsetUs where the room's ticks fall: wall-clock multiples of the period plus this
 * @property {Map<number, Uint8Array>} entities the reconstructed state: entity id -> data
 * @property {number} tick the tick of `entities` (-1 before the first state)
 * @property {number} lastEventOffset the last room event seen (the resume cursor)
 * @property {number} seq the last input sequence number sent
 */

/**
 * A Roomcast connection. Create with {@link RoomcastClient.load} (browser) or the constructor
 * with an already parsed Root (tests, Node).
 */
export class RoomcastClient extends Emitter {
  /**
   * Loads the .proto files (frames.proto plus any game protos) and makes a client.
   * @param {string[]} [protoUrls] default: just frames.proto
   * @param {object} [options] as for the constructor, plus `fetch`
   */
  static async load(protoUrls = [FRAMES_PROTO_URL], options = {}) {
    const root = await loadProtos(protoUrls, options);
    return new RoomcastClient(root, options);
  }

  /** `ws(s)://<this page's host>/ws`. */
  static defaultUrl(location = globalThis.location) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws`;
  }

  /**
   * @param {any} root a protobufjs Root holding at least `roomcast.v1`
   * @param {{WebSocket?: typeof WebSocket}} [options] a WebSocket implementation (default: the
   *   global one)
   */
  constructor(root, options = {}) {
    super();
    this.root = root;
    this.ClientFrame = root.lookupType('roomcast.v1.ClientFrame');
    this.ServerFrame = root.lookupType('roomcast.v1.ServerFrame');
    this._WebSocket = options.WebSocket ?? globalThis.WebSocket;

    this._status = 'idle';
    this._url = null;
    this._name = '';
    this._authToken = '';
    this._ws = null;
    this._welcomed = false;
    this._closedByUser = false;
    this._attempt = 0;
    this._everWelcomed = false;
    this._timers = { ping: null, reconnect: null, resume: null };
    /** When the oldest still unanswered ping (or the Hello) was sent; null: none pending. */
    this._unansweredSince = null;
    this._nextRequestId = 1;
    this._nextAckId = 1;
    /** @type {Map<number, {target: object, resolve: Function, reject: Function, timer: any}>} */
    this._pendingJoins = new Map();
    /** @type {Map<number, {resolve: Function, reject: Function, timer: any}>} */
    this._pendingAcks = new Map();
    /** @type {Map<string, {requestId: number, resolve: Function, reject: Function, timer: any}>} */
    this._pendingLeaves = new Map();
    this._connectWaiter = null;

    /** @type {object|null} the last Welcome (plain object) */
    this.welcome = null;
    /** @type {Map<string, RoomView>} the rooms this client holds a seat in */
    this.rooms = new Map();
    /** Clock offset and RTT from pings. */
    this.clock = new ClockSync();
  }

  /**
   * `idle` (never connected), `connecting` (socket opening / waiting for the Welcome),
   * `connected` (welcomed), `reconnecting` (waiting before the next attempt),
   * `closed` (closed by {@link RoomcastClient#close} or for good, e.g. unsupported version).
   */
  get status() { return this._status; }

  /** The session id (also this player's id), or '' before the first Welcome. */
  get sessionId() { return this.welcome?.sessionId ?? ''; }

  /** The id of the node this connection is on, or ''. */
  get nodeId() { return this.welcome?.nodeId ?? ''; }

  /** The limits the node enforces (Welcome.limits), or null. */
  get limits() { return this.welcome?.limits ?? null; }

  /** The latest round-trip time in ms, or NaN. */
  get rttMs() { return this.clock.rttMs; }

  /** Looks up a message type in the loaded protos, e.g. `roomcast.games.demo.DemoInput`. */
  type(fullName) {
    return this.root.lookupType(fullName);
  }

  // ───────────────────────────── public API ─────────────────────────────

  /**
   * Opens the connection and sends Hello. Reconnects by itself until {@link RoomcastClient#close}.
   * @param {string} url e.g. `RoomcastClient.defaultUrl()`
   * @param {{name: string, authToken?: string}} options
   * @returns {Promise<object>} the first Welcome; rejected if closed (or the version is refused)
   *   before one arrives
   */
  connect(url, { name, authToken = '' }) {
    if (this._status !== 'idle' && this._status !== 'closed') {
      return Promise.reject(new RoomcastError('ALREADY_CONNECTED', 'connect() called twice'));
    }
    this._url = url;
    this._name = name;
    this._authToken = authToken;
    this._closedByUser = false;
    this._attempt = 0;
    const promise = new Promise((resolve, reject) => { this._connectWaiter = { resolve, reject }; });
    this._open();
    return promise;
  }

  /**
   * Joins a room: `{gameType}` quick-joins (a room of that game with a free seat, or a new
   * one), `{roomId}` joins that room, `{roomId, gameType}` joins-or-creates the room of that
   * name (created of that game if nobody holds it).
   *
   * `options` (string keys and values: at most 16, a key 1..32 of `[A-Za-z0-9_.-]`, a value
   * 0..64 printable characters) are the creation options of a room this join creates: a
   * quick-join only lands in a room created with the same values of the options its game
   * filters by (e.g. `{mode: 'ranked'}` for four-in-a-row); joining an existing room ignores
   * them. Bad options are refused with INVALID_ARGUMENT.
   * @param {{gameType?: string, roomId?: string, options?: Object<string, string>}} target
   * @returns {Promise<object>} the Joined info `{roomId, gameType, seat, playerId, tickRateHz,
   *   tickOffsetUs, lastEventOffset, resumed}`; rejected with a {@link RoomcastError} (e.g. ROOM_FULL)
   */
  join(target) {
    if (!this._welcomed) return Promise.reject(new RoomcastError('NOT_CONNECTED', 'not connected'));
    const options = {};
    for (const [key, value] of Object.entries(target.options ?? {})) options[key] = String(value);
    let join;
    if (target.roomId && target.gameType) {
      join = { named: { roomId: target.roomId, gameType: target.gameType }, options };
    } else if (target.roomId) {
      join = { roomId: target.roomId, options };
    } else {
      join = { gameType: target.gameType, options };
    }
    const requestId = this._requestId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pendingJoins.delete(requestId);
        reject(new RoomcastError('TIMEOUT', 'no answer to join', requestId));
      }, REQUEST_TIMEOUT_MS);
      this._pendingJoins.set(requestId, { target: join, resolve, reject, timer });
      this._send({ requestId, join });
    });
  }

  /**
   * Join-or-create: the room named `roomId` (1..64 of `[A-Za-z0-9_.-]`), created of `gameType`
   * with `options` if nobody holds it; one room per name in the whole cluster.
   * @param {string} roomId
   * @param {string} gameType
   * @param {Object<string, string>} [options] the new room's creation options (ignored when the room exists)
   * @returns {Promise<object>} as {@link RoomcastClient#join}
   */
  joinOrCreate(roomId, gameType, options = {}) {
    return this.join({ roomId, gameType, options });
  }

  /**
   * Sends one input to a room. Sequence numbers start at 1 and increase per room.
   * @param {string} roomId
   * @param {Uint8Array} payload the game's encoded input message
   * @returns {number} the sequence number given, or 0 if not sent (not connected / not in room)
   */
  sendInput(roomId, payload) {
    const room = this.rooms.get(roomId);
    if (!room || !this._welcomed) return 0;
    room.seq += 1;
    this._send({ input: { roomId, seq: room.seq, payload: toBytes(payload) } });
    return room.seq;
  }

  /**
   * Sends an event to the room (sender excluded) or, with `to`, to one player.
   * @param {string} roomId
   * @param {string} name 1..64 characters
   * @param {Uint8Array|string} payload bytes, or text sent as UTF-8
   * @param {{to?: string, ack?: boolean, timeoutMs?: number}} [options]
   * @returns {Promise<object>|undefined} with `ack`, a Promise resolved with the Ack or rejected
   *   with a {@link RoomcastError}; otherwise undefined
   */
  emit(roomId, name, payload, { to = '', ack = false, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    const frame = { roomId, name, payload: toBytes(payload), toPlayer: to };
    if (!ack) {
      if (this._welcomed) this._send({ emit: frame });
      return undefined;
    }
    if (!this._welcomed) return Promise.reject(new RoomcastError('NOT_CONNECTED', 'not connected'));
    const ackId = this._nextAckId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pendingAcks.delete(ackId);
        reject(new RoomcastError('TIMEOUT', 'no ack'));
      }, timeoutMs);
      this._pendingAcks.set(ackId, { resolve, reject, timer });
      this._send({ emit: { ...frame, ackId } });
    });
  }

  /**
   * Leaves a room; it is not re-joined after a reconnect.
   * @param {string} roomId
   * @returns {Promise<object>} the Left info `{roomId, reason, detail}`
   */
  leave(roomId) {
    const room = this.rooms.get(roomId);
    if (room) room.leaving = true;
    if (!this._welcomed) {
      this.rooms.delete(roomId);
      return Promise.resolve({ roomId, reason: 'LEAVE_REQUESTED', detail: 'offline' });
    }
    const requestId = this._requestId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pendingLeaves.delete(roomId);
        this.rooms.delete(roomId);
        reject(new RoomcastError('TIMEOUT', 'no answer to leave', requestId));
      }, REQUEST_TIMEOUT_MS);
      this._pendingLeaves.set(roomId, { requestId, resolve, reject, timer });
      this._send({ requestId, leave: { roomId } });
    });
  }

  /** Closes the connection for good (code 1000): no reconnect. The seats are released by the
   *  server after its grace period. */
  close() {
    this._closedByUser = true;
    clearTimeout(this._timers.reconnect);
    const ws = this._ws;
    if (ws) {
      this._detach(ws);
      ws.close(CLOSE_NORMAL, 'client closed');
      this._onClosed(CLOSE_NORMAL, 'client closed');
    } else {
      this._onClosed(CLOSE_NORMAL, 'client closed');
    }
  }

  // ───────────────────────────── connection ─────────────────────────────

  _open() {
    this._setStatus('connecting');
    this._welcomed = false;
    let ws;
    try {
      ws = new this._WebSocket(this._url);
    } catch (err) {
      this._fire('error', { code: 'CONNECT_FAILED', message: String(err), requestId: 0 });
      this._scheduleReconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this._ws = ws;
    this._handlers = {
      open: () => this._onOpen(),
      message: (e) => this._onMessage(e.data),
      close: (e) => { this._detach(ws); this._onClosed(e.code, e.reason); },
      error: () => {}, // a close event always follows
    };
    for (const [type, fn] of Object.entries(this._handlers)) ws.addEventListener(type, fn);
  }

  _detach(ws) {
    if (!this._handlers) return;
    for (const [type, fn] of Object.entries(this._handlers)) ws.removeEventListener(type, fn);
    this._handlers = null;
    if (this._ws === ws) this._ws = null;
  }

  _onOpen() {
    this._unansweredSince = Date.now(); // the Hello is answered like a ping
    this._timers.ping = setInterval(() => this._pingTick(), PING_INTERVAL_MS);
    const hello = { protocolVersion: PROTOCOL_VERSION, playerName: this._name };
    if (this._authToken) hello.authToken = this._authToken;
    if (this.welcome?.resumeToken && this.rooms.size > 0) {
      hello.resumeToken = this.welcome.resumeToken;
      hello.cursors = [...this.rooms.values()].map((r) => ({
        roomId: r.roomId, lastEventOffset: r.lastEventOffset,
      }));
    }
    this._send({ hello }, true);
  }

  /**
   * Every PING_INTERVAL_MS: drop the connection if nothing at all arrived for PONG_TIMEOUT_MS
   * after a ping (or the Hello), else ping. Timing from the unanswered ping rather than from
   * the last frame keeps a throttled background tab (timers once a minute) from false alarms.
   */
  _pingTick() {
    const now = Date.now();
    if (this._unansweredSince !== null && now - this._unansweredSince > PONG_TIMEOUT_MS) {
      const ws = this._ws;
      if (ws) {
        this._detach(ws);
        try { ws.close(CLOSE_CLIENT_IDLE, 'no answer'); } catch { /* already closing */ }
      }
      this._onClosed(CLOSE_CLIENT_IDLE, 'no answer');
      return;
    }
    if (this._welcomed) this._sendPing(now);
  }

  _sendPing(now = Date.now()) {
    if (this._send({ ping: { clientTimeMs: now } }) && this._unansweredSince === null) {
      this._unansweredSince = now;
    }
  }

  _onClosed(code, reason) {
    clearInterval(this._timers.ping);
    clearTimeout(this._timers.resume);
    const wasConnected = this._welcomed;
    this._welcomed = false;
    this._failPending(new RoomcastError('DISCONNECTED', `connection closed (${code})`));
    const fatal = this._closedByUser || code === CLOSE_UNSUPPORTED_VERSION;
    // Once per lost connection (not for each failed attempt), and for a final close.
    if (wasConnected || fatal) {
      this._fire('disconnect', { code, reason: reason ?? '', willReconnect: !fatal });
    }
    if (fatal) {
      this._setStatus('closed');
      this._connectWaiter?.reject(new RoomcastError(
        code === CLOSE_UNSUPPORTED_VERSION ? 'UNSUPPORTED_VERSION' : 'CLOSED', reason ?? ''));
      this._connectWaiter = null;
      return;
    }
    this._scheduleReconnect();
  }

  _scheduleReconnect() {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this._attempt);
    const delayMs = Math.round(base / 2 + Math.random() * base / 2); // "equal jitter"
    this._attempt += 1;
    this._setStatus('reconnecting');
    this._fire('reconnecting', { attempt: this._attempt, delayMs });
    clearTimeout(this._timers.reconnect);
    this._timers.reconnect = setTimeout(() => this._open(), delayMs);
  }

  _failPending(error) {
    for (const p of this._pendingJoins.values()) { clearTimeout(p.timer); p.reject(error); }
    for (const p of this._pendingAcks.values()) { clearTimeout(p.timer); p.reject(error); }
    this._pendingJoins.clear();
    this._pendingAcks.clear();
    // A leave is done as far as the caller is concerned: the room is not re-joined.
    for (const [roomId, p] of this._pendingLeaves) {
      clearTimeout(p.timer);
      this.rooms.delete(roomId);
      p.resolve({ roomId, reason: 'LEAVE_REQUESTED', detail: 'disconnected' });
    }
    this._pendingLeaves.clear();
  }

  _setStatus(status) {
    if (status === this._status) return;
    const previous = this._status;
    this._status = status;
    this._fire('status', { status, previous });
  }

  _requestId() {
    const id = this._nextRequestId;
    this._nextRequestId = id >= 0xffffffff ? 1 : id + 1;
    return id;
  }

  /** Encodes and sends one ClientFrame; false if the socket is not open (or not welcomed). */
  _send(frame, beforeWelcome = false) {
    const ws = this._ws;
    if (!ws || ws.readyState !== 1 || (!this._welcomed && !beforeWelcome)) return false;
    ws.send(this.ClientFrame.encode(this.ClientFrame.fromObject(frame)).finish());
    return true;
  }

  // ───────────────────────────── incoming frames ─────────────────────────────

  _onMessage(data) {
    this._unansweredSince = null; // any frame shows the connection is alive
    if (typeof data === 'string') {
      this._fire('error', { code: 'BAD_FRAME', message: 'text frame from server ignored', requestId: 0 });
      return;
    }
    let frame;
    try {
      const message = this.ServerFrame.decode(new Uint8Array(data));
      frame = this.ServerFrame.toObject(message, TO_OBJECT);
    } catch (err) {
      this._fire('error', { code: 'BAD_FRAME', message: `undecodable frame: ${err.message}`, requestId: 0 });
      return;
    }
    this.handleFrame(frame);
  }

  /**
   * Handles one decoded ServerFrame (a plain object as given by `ServerFrame.toObject` with
   * `{longs: Number, enums: String, defaults: true, oneofs: true}`). Public for tests.
   */
  handleFrame(frame) {
    const body = frame[frame.body];
    switch (frame.body) {
      case 'welcome': return this._onWelcome(body);
      case 'joined': return this._onJoined(body);
      case 'left': return this._onLeft(body);
      case 'state': return this._onState(body);
      case 'event': return this._onEvent(body);
      case 'ack': return this._onAck(body);
      case 'pong': return this._onPong(body);
      case 'error': return this._onError(body);
      default: return undefined; // a newer server's frame: ignore
    }
  }

  _onWelcome(welcome) {
    const reconnect = this._everWelcomed;
    this.welcome = welcome;
    this._welcomed = true;
    this._everWelcomed = true;
    this._attempt = 0;
    this._setStatus('connected');
    this._fire('welcome', welcome);
    this._connectWaiter?.resolve(welcome);
    this._connectWaiter = null;
    this._sendPing();
    if (welcome.resumed) {
      this._awaitResumedRooms();
    } else if (this.rooms.size > 0) {
      this._rejoinAll();
    }
    if (reconnect) {
      this._fire('reconnect', { resumed: welcome.resumed, welcome });
      this._fire('reconnected', { resumed: welcome.resumed, welcome });
    }
  }

  /** After a resume the server re-sends Joined per room; a room that does not come back in
   *  time is joined again. */
  _awaitResumedRooms() {
    for (const room of this.rooms.values()) {
      room.awaitingResume = true;
      room.awaitingKeyframe = false;
    }
    clearTimeout(this._timers.resume);
    this._timers.resume = setTimeout(() => {
      const lost = [...this.rooms.values()].filter((r) => r.awaitingResume);
      for (const room of lost) this._rejoin(room);
    }, RESUME_WAIT_MS);
  }

  _rejoinAll() {
    for (const room of [...this.rooms.values()]) this._rejoin(room);
  }

  /**
   * Joins a lost room again: the same room if it still has a seat, else the same game with the
   * options it was joined with.
   */
  _rejoin(room) {
    this.rooms.delete(room.roomId);
    if (room.leaving) return;
    this.join({ roomId: room.roomId })
      .catch(() => this.join({ gameType: room.gameType, options: room.options }))
      .catch((err) => {
        const detail = `could not re-join: ${err.message}`;
        this._fire('error', { code: 'REJOIN_FAILED', message: detail, requestId: 0 });
        this._fire('left', { roomId: room.roomId, reason: 'REJOIN_FAILED', detail });
      });
  }

  _onJoined(joined) {
    const previous = this.rooms.get(joined.roomId);
    const resumed = Boolean(previous?.awaitingResume);
    // The same seat again (a resume): the server keeps its last applied input seq, so keep
    // counting up from ours, and keep the event cursor.
    const sameSeat = Boolean(previous) && previous.playerId === joined.playerId
      && previous.seat === joined.seat;
    const room = {
      roomId: joined.roomId,
      gameType: joined.gameType,
      seat: joined.seat,
      playerId: joined.playerId,
      tickRateHz: joined.tickRateHz,
      tickOffsetUs: joined.tickOffsetUs ?? 0,
      entities: new Map(),
      tick: -1,
      awaitingKeyframe: false,
      keyframeRequestedAt: 0,
      // Resumed: missed events are replayed after our own cursor, so keep it for de-duplication.
      lastEventOffset: sameSeat ? previous.lastEventOffset : joined.lastEventOffset,
      seq: sameSeat ? previous.seq : 0,
      awaitingResume: false,
      leaving: false,
      // The options of the join that got this seat (for a re-join by game after a reconnect).
      options: previous?.options ?? {},
    };
    this.rooms.set(room.roomId, room);
    const info = {
      roomId: room.roomId, gameType: room.gameType, seat: room.seat, playerId: room.playerId,
      tickRateHz: room.tickRateHz, tickOffsetUs: room.tickOffsetUs, lastEventOffset: joined.lastEventOffset, resumed,
    };
    const target = this._resolveJoin(info);
    if (target) room.options = target.options ?? {};
    this._fire('joined', info);
    if (joined.keyframe) this._onState({ ...joined.keyframe, roomId: room.roomId, keyframe: true });
  }

  /** Resolves the pending join this Joined answers (Joined carries no request id); returns its Join, or null. */
  _resolveJoin(info) {
    for (const [requestId, pending] of this._pendingJoins) {
      const t = pending.target;
      if (t.roomId === info.roomId || t.named?.roomId === info.roomId
          || (t.gameType && t.gameType === info.gameType)) {
        clearTimeout(pending.timer);
        this._pendingJoins.delete(requestId);
        pending.resolve(info);
        return t;
      }
    }
    return null;
  }

  _onLeft(left) {
    this.rooms.delete(left.roomId);
    const pending = this._pendingLeaves.get(left.roomId);
    if (pending) {
      clearTimeout(pending.timer);
      this._pendingLeaves.delete(left.roomId);
      pending.resolve(left);
    }
    this._fire('left', left);
  }

  /**
   * Applies a State to the room's entity map: a keyframe replaces it; a delta for tick
   * lastTick+1 is applied; any other delta means a gap: deltas are ignored and one keyframe is
   * requested (again after a second if none comes) until a keyframe arrives.
   */
  _onState(state) {
    const room = this.rooms.get(state.roomId);
    if (!room) return;
    if (state.keyframe) {
      room.entities = new Map(state.entities.map((e) => [e.id, e.data]));
      room.awaitingKeyframe = false;
    } else if (room.awaitingKeyframe) {
      this._maybeRequestKeyframe(room);
      return;
    } else if (state.tick <= room.tick) {
      return; // stale or duplicate
    } else if (state.tick !== room.tick + 1) {
      this._fire('gap', { roomId: room.roomId, expectedTick: room.tick + 1, tick: state.tick });
      room.awaitingKeyframe = true;
      room.keyframeRequestedAt = 0;
      this._maybeRequestKeyframe(room);
      return;
    } else {
      for (const e of state.entities) room.entities.set(e.id, e.data);
      for (const id of state.removed) room.entities.delete(id);
    }
    room.tick = state.tick;
    this._emitState(room, state);
  }

  _maybeRequestKeyframe(room) {
    const now = Date.now();
    if (now - room.keyframeRequestedAt < KEYFRAME_RETRY_MS) return;
    room.keyframeRequestedAt = now;
    this._send({ keyframeRequest: { roomId: room.roomId } });
  }

  _emitState(room, state) {
    const applied = new Map(state.applied.map((a) => [a.seat, a.seq]));
    this._fire('state', {
      roomId: room.roomId,
      tick: state.tick,
      keyframe: Boolean(state.keyframe),
      /** The whole reconstructed state (live: read it, do not change it). */
      entities: room.entities,
      changed: state.entities.map((e) => e.id),
      removed: state.removed,
      applied,
      /** The last input seq of ours the server applied (0 if none). */
      mySeq: applied.get(room.seat) ?? 0,
      serverTimeMs: state.serverTimeMs,
      receivedAt: monotonicNow(),
    });
  }

  _onEvent(event) {
    const room = this.rooms.get(event.roomId);
    if (room && event.offset > 0) {
      if (event.offset <= room.lastEventOffset) return; // replayed twice
      room.lastEventOffset = event.offset;
    }
    this._fire('event', { ...event, text: () => bytesToText(event.payload) });
  }

  _onAck(ack) {
    const pending = this._pendingAcks.get(ack.ackId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this._pendingAcks.delete(ack.ackId);
    if (ack.ok) pending.resolve(ack);
    else pending.reject(new RoomcastError(ack.error, ack.message));
  }

  _onPong(pong) {
    const sample = this.clock.addSample(pong.clientTimeMs, pong.serverTimeMs);
    this._fire('rtt', { rttMs: sample.rttMs, offsetMs: this.clock.offsetMs });
  }

  _onError(error) {
    this._fire('error', error);
    const id = error.requestId;
    if (!id) return;
    const join = this._pendingJoins.get(id);
    if (join) {
      clearTimeout(join.timer);
      this._pendingJoins.delete(id);
      join.reject(new RoomcastError(error.code, error.message, id));
      return;
    }
    for (const [roomId, leave] of this._pendingLeaves) {
      if (leave.requestId !== id) continue;
      clearTimeout(leave.timer);
      this._pendingLeaves.delete(roomId);
      this.rooms.delete(roomId);
      leave.reject(new RoomcastError(error.code, error.message, id));
      return;
    }
  }
}

/** A monotonic clock in ms (the time base of `state.receivedAt`). */
export function monotonicNow() {
  return globalThis.performance ? performance.now() : Date.now();
}
