/**
 * RoomcastClient: one connection to a Roomcast node, the rooms it holds seats in, and its
 * reconnection. A port of the demo's hand-written roomcast-client.js onto the generated codec.
 */
import { backoffDelay, DEFAULT_RECONNECT, type ReconnectOptions } from './backoff.js';
import { ClockSync, monotonicNow, type ClockSample } from './clock.js';
import { CloseCode, errorCodeName, FATAL_CLOSE_CODES, leaveReasonName, PROTOCOL_VERSION } from './codes.js';
import { decodeServerFrame, encodeClientFrame, toNumber, type roomcast } from './codec.js';
import { Emitter } from './emitter.js';
import { RoomcastError } from './errors.js';
import { OPEN, resolveWebSocket, type WebSocketConstructor, type WebSocketLike } from './transport.js';
import type {
  AckInfo, ClientEvents, ClientStatus, JoinedInfo, JoinTarget, LeftInfo, Limits, RoomEvent, RoomView,
  StateUpdate, WelcomeInfo,
} from './types.js';

type IClientFrame = roomcast.v1.IClientFrame;
type IJoin = roomcast.v1.IJoin;
type IState = roomcast.v1.IState;

/**
 * Turns an entity's bytes into the game's own entity type. Called once per entity per tick it
 * changed in (never for unchanged entities), with the room it belongs to, so one client can hold
 * rooms of several games.
 */
export type EntityDecoder<E> = (data: Uint8Array, id: number, room: { roomId: string; gameType: string }) => E;

/** Options of {@link RoomcastClient}; every one has a default. */
export interface ClientOptions<E = Uint8Array> {
  /** The WebSocket implementation (default: the global one, else the `ws` package). */
  WebSocket?: WebSocketConstructor;
  /** Turns entity bytes into the game's entity type (default: keep the bytes). */
  decodeEntity?: EntityDecoder<E>;
  /** Reconnection backoff (capped exponential, full jitter), or `false` for no reconnecting. */
  reconnect?: ReconnectOptions | false;
  /** How often a welcomed connection pings (default 2000 ms). */
  pingIntervalMs?: number;
  /** A connection that answers nothing this long after a ping or the Hello is dropped (default 10000 ms). */
  pongTimeoutMs?: number;
  /** How long a join, leave or acked emit waits for its answer (default 10000 ms). */
  requestTimeoutMs?: number;
  /** After a resume, how long a room may take to come back before it is joined again (default 3000 ms). */
  resumeWaitMs?: number;
  /** A keyframe request after a gap is repeated this often while none arrives (default 1000 ms). */
  keyframeRetryMs?: number;
}

/** Options of {@link RoomcastClient.connect}. */
export interface ConnectOptions {
  /** 1..32 printable characters, shown to the other players. */
  name: string;
  /** Passed to the node's authenticator (none checks it by default). */
  authToken?: string;
  /** A resume token from an earlier Welcome (e.g. kept across a page reload): the node gives
   *  that session's seats back if its grace period has not ended. */
  resumeToken?: string;
}

interface Pending<T> {
  resolve: (value: T) => void;
  reject: (error: RoomcastError) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface PendingJoin extends Pending<JoinedInfo> {
  requestId: number;
  join: IJoin;
  sent: boolean;
}

interface Room<E> extends RoomView<E> {
  entities: Map<number, E>;
  tick: number;
  /** The highest ownership epoch seen in a state: a lower one is stale and dropped. */
  epoch: number;
  lastEventOffset: number;
  seq: number;
  options: Record<string, string>;
  awaitingKeyframe: boolean;
  keyframeRequestedAt: number;
  awaitingResume: boolean;
  leaving: boolean;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** UTF-8 bytes of a string; bytes are returned as they are. */
export function toBytes(payload: Uint8Array | ArrayBuffer | string | null | undefined): Uint8Array {
  if (payload == null) return new Uint8Array(0);
  if (typeof payload === 'string') return textEncoder.encode(payload);
  if (payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  throw new TypeError('payload must be a string, Uint8Array or ArrayBuffer');
}

/**
 * A connection to a Roomcast node.
 *
 * ```ts
 * const client = new RoomcastClient({ decodeEntity: (bytes) => MyEntity.decode(bytes) });
 * client.on('state', (s) => render(s.entities));
 * await client.connect('ws://localhost:8080/ws', { name: 'Alice' });
 * const room = await client.join({ gameType: 'orb-rush' });
 * client.sendInput(room.roomId, MyInput.encode({ dx: 1, dy: 0 }).finish());
 * ```
 *
 * It reconnects by itself after a drop (capped exponential backoff with full jitter, see
 * {@link backoffDelay}), resumes its seats with the resume token and the last event offset per
 * room (events replayed twice are dropped), and joins rooms again when the resume failed.
 *
 * @typeParam E the game's entity type, as made by `options.decodeEntity`
 */
export class RoomcastClient<E = Uint8Array> extends Emitter<ClientEvents<E>> {
  /** ws(s)://<this page's host>/ws (browsers). */
  static defaultUrl(location: { protocol: string; host: string } | undefined =
    (globalThis as { location?: { protocol: string; host: string } }).location): string {
    if (!location) throw new Error('no page location: pass the node URL, e.g. ws://localhost:8080/ws');
    return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
  }

  /** Clock offset and RTT from pings. */
  readonly clock = new ClockSync();
  /** The last Welcome, or null before the first. */
  welcome: WelcomeInfo | null = null;

  private readonly options: Required<Omit<ClientOptions<E>, 'WebSocket' | 'decodeEntity' | 'reconnect'>>;
  private readonly reconnectOptions: Required<ReconnectOptions> | null;
  private readonly decodeEntity: EntityDecoder<E>;
  private readonly roomMap = new Map<string, Room<E>>();
  private WebSocketImpl: WebSocketConstructor | undefined;

  private currentStatus: ClientStatus = 'idle';
  private url = '';
  private hello: ConnectOptions = { name: '' };
  private ws: WebSocketLike | null = null;
  private handlers: Record<string, (event: any) => void> | null = null;
  private welcomed = false;
  private everWelcomed = false;
  private closedByUser = false;
  private attempt = 0;
  private helloRequestId = 0;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the oldest unanswered ping (or the Hello) was sent; null: none pending. */
  private unansweredSince: number | null = null;
  private nextRequestId = 1;
  private nextAckId = 1;
  /** Joins in order; only the first is on the wire (a Joined carries no request id). */
  private readonly joinQueue: PendingJoin[] = [];
  private readonly pendingAcks = new Map<number, Pending<AckInfo>>();
  private readonly pendingLeaves = new Map<string, Pending<LeftInfo> & { requestId: number }>();
  private readonly pendingPings = new Map<number, Array<Pending<ClockSample>>>();
  private connectWaiter: { resolve: (w: WelcomeInfo) => void; reject: (e: RoomcastError) => void } | null = null;
  /** Rooms a resume token (from connect options) may bring back that this client never joined. */
  private resumingUnknownRooms = false;

  constructor(options: ClientOptions<E> = {}) {
    super();
    this.WebSocketImpl = options.WebSocket;
    this.decodeEntity = options.decodeEntity ?? ((data: Uint8Array) => data as unknown as E);
    this.reconnectOptions = options.reconnect === false ? null : { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.options = {
      pingIntervalMs: options.pingIntervalMs ?? 2000,
      pongTimeoutMs: options.pongTimeoutMs ?? 10000,
      requestTimeoutMs: options.requestTimeoutMs ?? 10000,
      resumeWaitMs: options.resumeWaitMs ?? 3000,
      keyframeRetryMs: options.keyframeRetryMs ?? 1000,
    };
  }

  /** The connection's status; every change fires `status`. */
  get status(): ClientStatus { return this.currentStatus; }

  /** The session id (also this player's id), or '' before the first Welcome. */
  get sessionId(): string { return this.welcome?.sessionId ?? ''; }

  /** The node this connection is on, or ''. */
  get nodeId(): string { return this.welcome?.nodeId ?? ''; }

  /** The limits the node enforces, or null before the first Welcome. */
  get limits(): Limits | null { return this.welcome?.limits ?? null; }

  /** The latest round-trip time in ms, or NaN. */
  get rttMs(): number { return this.clock.rttMs; }

  /** The estimated server time now, in ms. */
  serverNow(): number { return this.clock.serverNow(); }

  /** The rooms this client holds a seat in, by room id. */
  get rooms(): ReadonlyMap<string, RoomView<E>> { return this.roomMap; }

  // ───────────────────────────── public API ─────────────────────────────

  /**
   * Opens the connection and says Hello; from then on reconnects by itself until
   * {@link RoomcastClient.close}.
   * @returns the first Welcome. Rejected with a {@link RoomcastError}: `INVALID_ARGUMENT` (a bad
   *   name), `CONNECTION_CLOSED` (a fatal close code, e.g. `UNSUPPORTED_VERSION`), `CLOSED`
   *   (closed, or out of attempts, before a Welcome), `ALREADY_CONNECTED`.
   */
  async connect(url: string, options: ConnectOptions): Promise<WelcomeInfo> {
    if (this.currentStatus !== 'idle' && this.currentStatus !== 'closed') {
      throw new RoomcastError('ALREADY_CONNECTED', 'connect() called twice');
    }
    this.setStatus('connecting');
    this.WebSocketImpl = await resolveWebSocket(this.WebSocketImpl);
    this.url = url;
    this.hello = { ...options };
    this.closedByUser = false;
    this.attempt = 0;
    this.resumingUnknownRooms = Boolean(options.resumeToken);
    return new Promise<WelcomeInfo>((resolve, reject) => {
      this.connectWaiter = { resolve, reject };
      this.open();
    });
  }

  /**
   * Takes a seat: quick-join `{gameType}`, a room `{roomId}`, or join-or-create `{roomId, gameType}`
   * (see {@link JoinTarget}). Joins are sent one at a time, in call order: a `Joined` frame
   * carries no request id, so two joins on the wire at once could not be told apart.
   * @returns the seat. Rejected with a {@link RoomcastError}: `ROOM_NOT_FOUND`, `UNKNOWN_GAME`,
   *   `ROOM_FULL`, `JOIN_REJECTED`, `ALREADY_IN_ROOM`, `TOO_MANY_ROOMS`, `RATE_LIMITED`,
   *   `INVALID_ARGUMENT`, `INTERNAL`, `TIMEOUT`, `DISCONNECTED`, `NOT_CONNECTED`.
   */
  join(target: JoinTarget): Promise<JoinedInfo> {
    if (!this.welcomed) return Promise.reject(new RoomcastError('NOT_CONNECTED', 'not connected'));
    const options: Record<string, string> = {};
    for (const [key, value] of Object.entries(target.options ?? {})) options[key] = String(value);
    let join: IJoin;
    if (target.roomId && target.gameType) {
      join = { named: { roomId: target.roomId, gameType: target.gameType }, options };
    } else if (target.roomId) {
      join = { roomId: target.roomId, options };
    } else {
      join = { gameType: target.gameType, options };
    }
    return new Promise<JoinedInfo>((resolve, reject) => {
      const pending: PendingJoin = {
        requestId: this.requestId(), join, resolve, reject, sent: false,
        timer: undefined as unknown as ReturnType<typeof setTimeout>,
      };
      this.joinQueue.push(pending);
      this.sendNextJoin();
    });
  }

  /** Join-or-create: the room named `roomId`, created of `gameType` with `options` if nobody holds it. */
  joinOrCreate(roomId: string, gameType: string, options: Record<string, string> = {}): Promise<JoinedInfo> {
    return this.join({ roomId, gameType, options });
  }

  /** Quick-join: the fullest open room of `gameType` whose filtered options match, else a new one. */
  quickJoin(gameType: string, options: Record<string, string> = {}): Promise<JoinedInfo> {
    return this.join({ gameType, options });
  }

  /** Joins the room with this id. */
  joinById(roomId: string): Promise<JoinedInfo> {
    return this.join({ roomId });
  }

  /**
   * Sends one input to a room. Sequence numbers start at 1 and increase per room; the room's
   * states say which was applied last (`StateUpdate.mySeq`).
   * @returns the sequence number given, or 0 if not sent (not connected, not in the room)
   */
  sendInput(roomId: string, payload: Uint8Array | ArrayBuffer | string): number {
    const room = this.roomMap.get(roomId);
    if (!room || !this.welcomed) return 0;
    room.seq += 1;
    this.send({ input: { roomId, seq: room.seq, payload: toBytes(payload) } });
    return room.seq;
  }

  /**
   * Sends an event to the room (the sender excluded) or, with `to`, to one player of it.
   * With `ack: true` the promise resolves when the room accepted it, or rejects with a
   * {@link RoomcastError} (`EVENT_REJECTED` with the room's reason in `serverMessage`,
   * `NOT_IN_ROOM`, `RATE_LIMITED`, `PLAYER_NOT_FOUND`, `TIMEOUT`, `DISCONNECTED`, ...).
   * Without it nothing answers a success, and a failure comes as an `error` event.
   */
  emit(roomId: string, name: string, payload: Uint8Array | ArrayBuffer | string,
    options: { to?: string; ack: true; timeoutMs?: number }): Promise<AckInfo>;
  emit(roomId: string, name: string, payload?: Uint8Array | ArrayBuffer | string,
    options?: { to?: string; ack?: false }): void;
  emit(roomId: string, name: string, payload: Uint8Array | ArrayBuffer | string = '',
    { to = '', ack = false, timeoutMs = this.options.requestTimeoutMs }: { to?: string; ack?: boolean; timeoutMs?: number } = {},
  ): Promise<AckInfo> | void {
    const emit = { roomId, name, payload: toBytes(payload), toPlayer: to };
    if (!ack) {
      if (this.welcomed) this.send({ emit });
      return undefined;
    }
    if (!this.welcomed) return Promise.reject(new RoomcastError('NOT_CONNECTED', 'not connected'));
    const ackId = this.nextAckId;
    this.nextAckId = ackId >= 0xffffffff ? 1 : ackId + 1;
    return new Promise<AckInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingAcks.delete(ackId);
        reject(new RoomcastError('TIMEOUT', 'no ack'));
      }, timeoutMs);
      this.pendingAcks.set(ackId, { resolve, reject, timer });
      this.send({ emit: { ...emit, ackId } });
    });
  }

  /** A direct message to a player connected to the same node, outside any room (no ack). */
  emitTo(playerId: string, name: string, payload: Uint8Array | ArrayBuffer | string = ''): void {
    if (this.welcomed) this.send({ emit: { name, payload: toBytes(payload), toPlayer: playerId } });
  }

  /** Leaves a room; it is not re-joined after a reconnect. Resolves with the Left (offline: at once). */
  leave(roomId: string): Promise<LeftInfo> {
    const room = this.roomMap.get(roomId);
    if (room) room.leaving = true;
    if (!this.welcomed) {
      this.roomMap.delete(roomId);
      return Promise.resolve({ roomId, reason: 'LEAVE_REQUESTED', detail: 'offline' });
    }
    const requestId = this.requestId();
    return new Promise<LeftInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingLeaves.delete(roomId);
        this.roomMap.delete(roomId);
        reject(new RoomcastError('TIMEOUT', 'no answer to leave', { requestId }));
      }, this.options.requestTimeoutMs);
      this.pendingLeaves.set(roomId, { requestId, resolve, reject, timer });
      this.send({ requestId, leave: { roomId } });
    });
  }

  /** Asks for a keyframe of a room now (the client does so by itself after a gap). */
  requestKeyframe(roomId: string): void {
    this.send({ keyframeRequest: { roomId } });
  }

  /** Pings now; resolves with this exchange's RTT and the clock offset estimate. */
  ping(): Promise<ClockSample> {
    if (!this.welcomed) return Promise.reject(new RoomcastError('NOT_CONNECTED', 'not connected'));
    return new Promise<ClockSample>((resolve, reject) => {
      const sentAt = Date.now();
      const waiters = this.pendingPings.get(sentAt) ?? [];
      const waiter: Pending<ClockSample> = {
        resolve, reject,
        timer: setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new RoomcastError('TIMEOUT', 'no pong'));
        }, this.options.requestTimeoutMs),
      };
      waiters.push(waiter);
      this.pendingPings.set(sentAt, waiters);
      this.sendPing(sentAt);
    });
  }

  /** Closes the connection for good (1000): no reconnect. The node frees the seats after its grace period. */
  close(): void {
    this.closedByUser = true;
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    if (ws) {
      this.detach(ws);
      try { ws.close(CloseCode.NORMAL, 'client closed'); } catch { /* already closing */ }
    }
    this.onClosed(CloseCode.NORMAL, 'client closed');
  }

  // ───────────────────────────── connection ─────────────────────────────

  private open(): void {
    this.setStatus('connecting');
    this.welcomed = false;
    let ws: WebSocketLike;
    try {
      ws = new this.WebSocketImpl!(this.url);
    } catch (err) {
      this.fire('error', new RoomcastError('CONNECT_FAILED', String(err)));
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.handlers = {
      open: () => this.onOpen(),
      message: (e: { data: unknown }) => this.onMessage(e.data),
      close: (e: { code: number; reason: string }) => { this.detach(ws); this.onClosed(e.code, e.reason); },
      error: () => {}, // a close event always follows
    };
    for (const [type, fn] of Object.entries(this.handlers)) ws.addEventListener(type, fn);
  }

  private detach(ws: WebSocketLike): void {
    if (this.handlers) {
      for (const [type, fn] of Object.entries(this.handlers)) ws.removeEventListener(type, fn);
      this.handlers = null;
    }
    if (this.ws === ws) this.ws = null;
  }

  private onOpen(): void {
    this.unansweredSince = Date.now(); // the Hello is answered like a ping
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.pingTick(), this.options.pingIntervalMs);
    const hello: roomcast.v1.IHello = { protocolVersion: PROTOCOL_VERSION, playerName: this.hello.name };
    if (this.hello.authToken) hello.authToken = this.hello.authToken;
    const resumeToken = this.welcome?.resumeToken && this.roomMap.size > 0
      ? this.welcome.resumeToken
      : (!this.everWelcomed ? this.hello.resumeToken : undefined);
    if (resumeToken) {
      hello.resumeToken = resumeToken;
      hello.cursors = [...this.roomMap.values()].map((r) => ({ roomId: r.roomId, lastEventOffset: r.lastEventOffset }));
    }
    this.helloRequestId = this.requestId();
    this.send({ requestId: this.helloRequestId, hello }, true);
  }

  /**
   * Every pingIntervalMs: drops the connection if nothing at all arrived for pongTimeoutMs after
   * a ping (or the Hello), else pings. Timing from the unanswered ping rather than from the last
   * frame keeps a throttled background tab (timers once a minute) from false alarms.
   */
  private pingTick(): void {
    const now = Date.now();
    if (this.unansweredSince !== null && now - this.unansweredSince > this.options.pongTimeoutMs) {
      const ws = this.ws;
      if (ws) {
        this.detach(ws);
        try { ws.close(CloseCode.CLIENT_TIMEOUT, 'no answer'); } catch { /* already closing */ }
      }
      this.onClosed(CloseCode.CLIENT_TIMEOUT, 'no answer');
      return;
    }
    if (this.welcomed) this.sendPing(now);
  }

  private sendPing(now = Date.now()): void {
    if (this.send({ ping: { clientTimeMs: now } }) && this.unansweredSince === null) this.unansweredSince = now;
  }

  private onClosed(code: number, reason: string | undefined): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.resumeTimer);
    const wasConnected = this.welcomed;
    this.welcomed = false;
    const fatalCode = FATAL_CLOSE_CODES.has(code);
    const outOfAttempts = !this.closedByUser && !fatalCode
      && (this.reconnectOptions === null || this.attempt >= this.reconnectOptions.maxAttempts);
    const fatal = this.closedByUser || fatalCode || outOfAttempts;
    const error = this.closedByUser || outOfAttempts
      ? new RoomcastError('CLOSED', this.closedByUser ? 'closed by the client' : 'gave up reconnecting', { closeCode: code })
      : fatalCode ? RoomcastError.closed(code, reason ?? '') : undefined;
    this.failPending(error ?? new RoomcastError('DISCONNECTED', `connection closed (${code})`, { closeCode: code }));
    // Once per lost connection (not for each failed attempt), and once for the final close.
    if (wasConnected || fatal) {
      this.fire('disconnect', { code, reason: reason ?? '', willReconnect: !fatal, error });
    }
    if (!fatal) {
      this.scheduleReconnect();
      return;
    }
    if (fatalCode) this.fire('error', error!);
    this.setStatus('closed');
    this.connectWaiter?.reject(error!);
    this.connectWaiter = null;
  }

  private scheduleReconnect(): void {
    const options = this.reconnectOptions ?? DEFAULT_RECONNECT;
    const delayMs = backoffDelay(this.attempt, options);
    this.attempt += 1;
    this.setStatus('reconnecting');
    this.fire('reconnecting', { attempt: this.attempt, delayMs });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.open(), delayMs);
  }

  /** Fails what waits for an answer on a lost connection; leaves count as done. */
  private failPending(error: RoomcastError): void {
    for (const p of this.joinQueue.splice(0)) { clearTimeout(p.timer); p.reject(error); }
    for (const p of this.pendingAcks.values()) { clearTimeout(p.timer); p.reject(error); }
    this.pendingAcks.clear();
    for (const waiters of this.pendingPings.values()) for (const p of waiters) { clearTimeout(p.timer); p.reject(error); }
    this.pendingPings.clear();
    for (const [roomId, p] of this.pendingLeaves) {
      clearTimeout(p.timer);
      this.roomMap.delete(roomId);
      p.resolve({ roomId, reason: 'LEAVE_REQUESTED', detail: 'disconnected' });
    }
    this.pendingLeaves.clear();
  }

  private setStatus(status: ClientStatus): void {
    if (status === this.currentStatus) return;
    const previous = this.currentStatus;
    this.currentStatus = status;
    this.fire('status', { status, previous });
  }

  private requestId(): number {
    const id = this.nextRequestId;
    this.nextRequestId = id >= 0xffffffff ? 1 : id + 1;
    return id;
  }

  /** Encodes and sends one ClientFrame; false if the socket is not open (or not welcomed). */
  private send(frame: IClientFrame, beforeWelcome = false): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN || (!this.welcomed && !beforeWelcome)) return false;
    ws.send(encodeClientFrame(frame));
    return true;
  }

  /** Puts the first queued join on the wire, if none is there yet. */
  private sendNextJoin(): void {
    const next = this.joinQueue[0];
    if (!next || next.sent) return;
    next.sent = true;
    next.timer = setTimeout(() => {
      this.removeJoin(next);
      next.reject(new RoomcastError('TIMEOUT', 'no answer to join', { requestId: next.requestId }));
    }, this.options.requestTimeoutMs);
    if (!this.send({ requestId: next.requestId, join: next.join })) {
      this.removeJoin(next);
      next.reject(new RoomcastError('NOT_CONNECTED', 'not connected', { requestId: next.requestId }));
    }
  }

  private removeJoin(pending: PendingJoin): void {
    clearTimeout(pending.timer);
    const index = this.joinQueue.indexOf(pending);
    if (index >= 0) this.joinQueue.splice(index, 1);
    if (index === 0) queueMicrotask(() => this.sendNextJoin());
  }

  // ───────────────────────────── incoming frames ─────────────────────────────

  private onMessage(data: unknown): void {
    this.unansweredSince = null; // any frame shows the connection is alive
    if (typeof data === 'string') {
      this.fire('error', new RoomcastError('BAD_FRAME', 'text frame from the server ignored'));
      return;
    }
    let frame: roomcast.v1.ServerFrame;
    try {
      frame = decodeServerFrame(data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer));
    } catch (err) {
      this.fire('error', new RoomcastError('BAD_FRAME', `undecodable frame: ${(err as Error).message}`));
      return;
    }
    this.handleFrame(frame);
  }

  /** Handles one decoded ServerFrame. Public for tests (replayed or hand-made frames). */
  handleFrame(frame: roomcast.v1.IServerFrame & { body?: string }): void {
    if (frame.welcome) this.onWelcome(frame.welcome);
    else if (frame.joined) this.onJoined(frame.joined);
    else if (frame.left) this.onLeft(frame.left);
    else if (frame.state) this.onState(frame.state);
    else if (frame.event) this.onEvent(frame.event);
    else if (frame.ack) this.onAck(frame.ack);
    else if (frame.pong) this.onPong(frame.pong);
    else if (frame.error) this.onError(frame.error);
    // else: a newer server's frame: ignored
  }

  private onWelcome(w: roomcast.v1.IWelcome): void {
    const l = w.limits ?? {};
    const welcome: WelcomeInfo = {
      protocolVersion: w.protocolVersion ?? 0,
      sessionId: w.sessionId ?? '',
      nodeId: w.nodeId ?? '',
      resumeToken: w.resumeToken ?? '',
      serverTimeMs: toNumber(w.serverTimeMs),
      limits: {
        maxFrameBytes: l.maxFrameBytes ?? 0,
        maxInputsPerSecond: l.maxInputsPerSecond ?? 0,
        maxEmitsPerSecond: l.maxEmitsPerSecond ?? 0,
        maxPlayersPerRoom: l.maxPlayersPerRoom ?? 0,
        maxRoomsPerSession: l.maxRoomsPerSession ?? 0,
        handshakeTimeoutMs: l.handshakeTimeoutMs ?? 0,
        seatGraceMs: l.seatGraceMs ?? 0,
        sendQueueBytes: l.sendQueueBytes ?? 0,
      },
      resumed: Boolean(w.resumed),
    };
    const reconnect = this.everWelcomed;
    this.welcome = welcome;
    this.welcomed = true;
    this.everWelcomed = true;
    this.attempt = 0;
    this.setStatus('connected');
    this.fire('connect', welcome);
    this.connectWaiter?.resolve(welcome);
    this.connectWaiter = null;
    this.sendPing();
    if (welcome.resumed) {
      this.awaitResumedRooms();
    } else {
      this.resumingUnknownRooms = false;
      if (this.roomMap.size > 0) this.rejoinAll();
    }
    if (reconnect) this.fire('reconnect', { resumed: welcome.resumed, welcome });
  }

  /** After a resume the node sends a Joined per room; a room that does not come back in time is joined again. */
  private awaitResumedRooms(): void {
    for (const room of this.roomMap.values()) {
      room.awaitingResume = true;
      room.awaitingKeyframe = false;
    }
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumingUnknownRooms = false;
      for (const room of [...this.roomMap.values()]) if (room.awaitingResume) this.rejoin(room);
    }, this.options.resumeWaitMs);
  }

  private rejoinAll(): void {
    for (const room of [...this.roomMap.values()]) this.rejoin(room);
  }

  /** Joins a lost room again: the same room if it still has a seat, else the same game with the options it was joined with. */
  private rejoin(room: Room<E>): void {
    this.roomMap.delete(room.roomId);
    if (room.leaving) return;
    this.join({ roomId: room.roomId })
      .catch(() => this.join({ gameType: room.gameType, options: room.options }))
      .catch((err: RoomcastError) => {
        const detail = `could not re-join: ${err.message}`;
        this.fire('error', new RoomcastError('REJOIN_FAILED', detail));
        this.fire('left', { roomId: room.roomId, reason: 'REJOIN_FAILED', detail });
      });
  }

  /** Does this Joined answer the join on the wire? */
  private static answers(join: IJoin, joined: roomcast.v1.IJoined): boolean {
    if (join.roomId) return join.roomId === joined.roomId;
    if (join.named) return join.named.roomId === joined.roomId;
    return join.gameType === joined.gameType;
  }

  private onJoined(joined: roomcast.v1.IJoined): void {
    const roomId = joined.roomId ?? '';
    const previous = this.roomMap.get(roomId);
    const head = this.joinQueue[0];
    let pending: PendingJoin | undefined;
    let resumed: boolean;
    if (previous?.awaitingResume) {
      resumed = true;
    } else if (head?.sent && RoomcastClient.answers(head.join, joined)) {
      pending = head;
      resumed = false;
    } else {
      // Not asked for: a room a resume token brought back (or a late answer to a timed-out join).
      resumed = this.resumingUnknownRooms;
    }
    // The same seat again (a resume): the node keeps its last applied input seq, so keep
    // counting from ours, and keep the event cursor (missed events are replayed after it).
    const sameSeat = previous !== undefined && previous.playerId === joined.playerId && previous.seat === joined.seat;
    const room: Room<E> = {
      roomId,
      gameType: joined.gameType ?? '',
      seat: joined.seat ?? 0,
      playerId: joined.playerId ?? '',
      tickRateHz: joined.tickRateHz ?? 0,
      tickOffsetUs: joined.tickOffsetUs ?? 0,
      entities: new Map(),
      tick: -1,
      epoch: sameSeat ? previous.epoch : 0,
      lastEventOffset: sameSeat ? previous.lastEventOffset : toNumber(joined.lastEventOffset),
      seq: sameSeat ? previous.seq : 0,
      options: pending ? { ...(pending.join.options ?? {}) } : (previous?.options ?? {}),
      awaitingKeyframe: false,
      keyframeRequestedAt: 0,
      awaitingResume: false,
      leaving: false,
    };
    this.roomMap.set(roomId, room);
    const info: JoinedInfo = {
      roomId, gameType: room.gameType, seat: room.seat, playerId: room.playerId, tickRateHz: room.tickRateHz,
      tickOffsetUs: room.tickOffsetUs,
      lastEventOffset: toNumber(joined.lastEventOffset), resumed, eventsMissed: toNumber(joined.eventsMissed),
    };
    if (pending) {
      this.removeJoin(pending);
      pending.resolve(info);
    }
    this.fire('joined', info);
    if (joined.keyframe) this.onState({ ...joined.keyframe, roomId, keyframe: true });
  }

  private onLeft(left: roomcast.v1.ILeft): void {
    const roomId = left.roomId ?? '';
    this.roomMap.delete(roomId);
    const info: LeftInfo = { roomId, reason: leaveReasonName(left.reason), detail: left.detail ?? '' };
    const pending = this.pendingLeaves.get(roomId);
    if (pending) {
      clearTimeout(pending.timer);
      this.pendingLeaves.delete(roomId);
      pending.resolve(info);
    }
    this.fire('left', info);
  }

  /**
   * Applies a State: a keyframe replaces the room's entities; a delta for tick + 1 is applied;
   * any other delta means a gap: deltas are ignored and a keyframe is requested (again every
   * keyframeRetryMs while none comes) until a keyframe arrives. A state of a lower ownership
   * epoch than one seen is dropped; a higher epoch (a takeover) may go back in ticks.
   */
  private onState(state: IState): void {
    const room = this.roomMap.get(state.roomId ?? '');
    if (!room) return;
    const tick = toNumber(state.tick);
    const epoch = toNumber(state.epoch);
    if (epoch < room.epoch) return; // a former owner's
    if (epoch > room.epoch) {
      const fromEpoch = room.epoch;
      room.epoch = epoch;
      if (fromEpoch > 0 && tick <= room.tick) {
        this.fire('rollback', { roomId: room.roomId, fromEpoch, toEpoch: epoch, fromTick: room.tick, toTick: tick });
        if (!state.keyframe) {
          room.awaitingKeyframe = true;
          room.keyframeRequestedAt = 0;
          this.maybeRequestKeyframe(room);
          return;
        }
      }
    }
    const entities = state.entities ?? [];
    const removed = state.removed ?? [];
    if (state.keyframe) {
      room.entities = new Map();
      for (const e of entities) room.entities.set(e.id ?? 0, this.entity(room, e));
      room.awaitingKeyframe = false;
    } else if (room.awaitingKeyframe) {
      this.maybeRequestKeyframe(room);
      return;
    } else if (tick <= room.tick) {
      return; // stale or duplicate
    } else if (tick !== room.tick + 1) {
      this.fire('gap', { roomId: room.roomId, expectedTick: room.tick + 1, tick });
      room.awaitingKeyframe = true;
      room.keyframeRequestedAt = 0;
      this.maybeRequestKeyframe(room);
      return;
    } else {
      for (const e of entities) room.entities.set(e.id ?? 0, this.entity(room, e));
      for (const id of removed) room.entities.delete(id);
    }
    room.tick = tick;
    const applied = new Map<number, number>();
    for (const a of state.applied ?? []) applied.set(a.seat ?? 0, a.seq ?? 0);
    const update: StateUpdate<E> = {
      roomId: room.roomId,
      tick,
      keyframe: Boolean(state.keyframe),
      entities: room.entities,
      changed: entities.map((e) => e.id ?? 0),
      removed: [...removed],
      applied,
      mySeq: applied.get(room.seat) ?? 0,
      serverTimeMs: toNumber(state.serverTimeMs),
      epoch,
      receivedAt: monotonicNow(),
    };
    this.fire('state', update);
  }

  /** An entity as the game's type (`decodeEntity`). */
  private entity(room: Room<E>, e: roomcast.v1.IEntity): E {
    return this.decodeEntity(e.data ?? new Uint8Array(0), e.id ?? 0, room);
  }

  private maybeRequestKeyframe(room: Room<E>): void {
    const now = Date.now();
    if (now - room.keyframeRequestedAt < this.options.keyframeRetryMs) return;
    room.keyframeRequestedAt = now;
    this.send({ keyframeRequest: { roomId: room.roomId } });
  }

  private onEvent(e: roomcast.v1.IEvent): void {
    const roomId = e.roomId ?? '';
    const offset = toNumber(e.offset);
    const room = this.roomMap.get(roomId);
    if (room && offset > 0) {
      if (offset <= room.lastEventOffset) return; // replayed twice (a resume overlapping live traffic)
      room.lastEventOffset = offset;
    }
    const payload = e.payload ?? new Uint8Array(0);
    const event: RoomEvent = {
      roomId,
      fromPlayer: e.fromPlayer ?? '',
      name: e.name ?? '',
      payload,
      offset,
      direct: Boolean(e.direct),
      text: () => textDecoder.decode(payload),
    };
    this.fire('event', event);
  }

  private onAck(ack: roomcast.v1.IAck): void {
    const ackId = ack.ackId ?? 0;
    const pending = this.pendingAcks.get(ackId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingAcks.delete(ackId);
    if (ack.ok) pending.resolve({ ackId, eventOffset: toNumber(ack.eventOffset) });
    else pending.reject(new RoomcastError(errorCodeName(ack.error), ack.message ?? ''));
  }

  private onPong(pong: roomcast.v1.IPong): void {
    const sentAt = toNumber(pong.clientTimeMs);
    const sample = this.clock.addSample(sentAt, toNumber(pong.serverTimeMs));
    const waiters = this.pendingPings.get(sentAt);
    this.pendingPings.delete(sentAt);
    for (const waiter of waiters ?? []) {
      clearTimeout(waiter.timer);
      waiter.resolve({ rttMs: sample.rttMs, offsetMs: this.clock.offsetMs });
    }
    this.fire('rtt', { rttMs: sample.rttMs, offsetMs: this.clock.offsetMs });
  }

  private onError(e: roomcast.v1.IError): void {
    const requestId = e.requestId ?? 0;
    const error = new RoomcastError(errorCodeName(e.code), e.message ?? '', { requestId });
    this.fire('error', error);
    if (!requestId) return;
    if (requestId === this.helloRequestId && !this.welcomed) {
      // The Hello was refused but the connection stays open (a bad name): retrying cannot help.
      this.connectWaiter?.reject(error);
      this.connectWaiter = null;
      this.closedByUser = true;
      const ws = this.ws;
      if (ws) {
        this.detach(ws);
        try { ws.close(CloseCode.NORMAL, 'hello refused'); } catch { /* already closing */ }
      }
      this.onClosed(CloseCode.NORMAL, 'hello refused');
      return;
    }
    const join = this.joinQueue.find((p) => p.requestId === requestId);
    if (join) {
      this.removeJoin(join);
      join.reject(error);
      return;
    }
    for (const [roomId, leave] of this.pendingLeaves) {
      if (leave.requestId !== requestId) continue;
      clearTimeout(leave.timer);
      this.pendingLeaves.delete(roomId);
      this.roomMap.delete(roomId);
      leave.reject(error);
      return;
    }
  }
}
