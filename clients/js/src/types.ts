/**
 * The shapes the client hands to a game: plain objects, 64-bit numbers as numbers, enums as
 * their names.
 */
import type { LeaveReason } from './codes.js';
import type { RoomcastError } from './errors.js';
import type { roomcast } from './generated/frames.js';

/** `idle` (never connected), `connecting` (socket opening, or waiting for the Welcome),
 *  `connected` (welcomed), `reconnecting` (waiting before the next attempt), `closed` (by
 *  {@link RoomcastClient.close}, or for good: a fatal close code, or the attempts ran out). */
export type ClientStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** The limits the node enforces (Welcome.limits): every field of `roomcast.v1.Limits`, as numbers. */
export type Limits = { [K in keyof roomcast.v1.ILimits]-?: number };

/** The node's answer to the handshake. */
export interface WelcomeInfo {
  protocolVersion: number;
  /** This session's id, also the player id the other players see. */
  sessionId: string;
  /** The node this connection is on. */
  nodeId: string;
  /** Give it back in a later connect (`resumeToken`) to take the seats back. */
  resumeToken: string;
  serverTimeMs: number;
  limits: Limits;
  /** true: an earlier session was resumed; its rooms come back (one `joined` each). */
  resumed: boolean;
}

/**
 * What to join:
 * - `{gameType}` quick-join: the fullest open room of that game whose filtered options match, else a new room;
 * - `{roomId}` that room;
 * - `{roomId, gameType}` join-or-create: the room of that name, created of that game if nobody holds it.
 *
 * `options` are the creation options of a room this join creates (string keys and values: at
 * most 16, a key 1..32 of `[A-Za-z0-9_.-]`, a value 0..64 printable characters); a quick-join
 * only lands in a room created with the same values of the options its game filters by.
 * Joining an existing room ignores them.
 */
export type JoinTarget =
  | { gameType: string; roomId?: undefined; options?: Record<string, string> }
  | { roomId: string; gameType?: string; options?: Record<string, string> };

/** A seat taken (or given back by a resume). */
export interface JoinedInfo {
  roomId: string;
  gameType: string;
  /** Seats are numbered from 0. */
  seat: number;
  playerId: string;
  tickRateHz: number;
  /** Where the room's ticks fall: at wall-clock multiples of 1/tickRateHz plus this many
   *  microseconds (a node spreads its rooms over a few such offsets). An input sent to arrive a
   *  little before a tick is applied at it. */
  tickOffsetUs: number;
  /** The room's event log position when the seat was taken. */
  lastEventOffset: number;
  /** true: given back by a resume (a reconnect), not a new join. */
  resumed: boolean;
  /** A resume only: room events after our cursor that the room's log no longer has (0: the
   *  replay that follows is complete). They are gone for good; the keyframe is the truth. */
  eventsMissed: number;
}

/** A seat gone. `reason` is a LeaveReason name, or `REJOIN_FAILED` when the room could not be
 *  joined again after a reconnect. */
export interface LeftInfo {
  roomId: string;
  reason: LeaveReason | 'REJOIN_FAILED';
  detail: string;
}

/**
 * One room this client holds a seat in, kept up to date from keyframes and deltas.
 * @typeParam E the game's entity type (see `ClientOptions.decodeEntity`; raw bytes by default)
 */
export interface RoomView<E = Uint8Array> {
  readonly roomId: string;
  readonly gameType: string;
  readonly seat: number;
  readonly playerId: string;
  readonly tickRateHz: number;
  /** See `JoinedInfo.tickOffsetUs`. */
  readonly tickOffsetUs: number;
  /** The room's state: entity id -> entity (live: read it, do not change it). */
  readonly entities: ReadonlyMap<number, E>;
  /** The tick of `entities`, -1 before the first state. */
  readonly tick: number;
  /** The last room event seen (the resume cursor). */
  readonly lastEventOffset: number;
  /** The last input sequence number sent. */
  readonly seq: number;
  /** The creation options of the join that took the seat (kept for a re-join by game). */
  readonly options: Readonly<Record<string, string>>;
}

/** One tick of a room, applied. */
export interface StateUpdate<E = Uint8Array> {
  roomId: string;
  tick: number;
  /** true: the whole state was replaced. */
  keyframe: boolean;
  /** The room's whole state after this tick (live: read it, do not change it). */
  entities: ReadonlyMap<number, E>;
  /** The ids upserted by this tick (all of them for a keyframe). */
  changed: number[];
  /** The ids removed by this tick. */
  removed: number[];
  /** seat -> last input seq applied, for the seats that have had one (others: 0). */
  applied: ReadonlyMap<number, number>;
  /** The last input seq of ours the room applied (0 if none). */
  mySeq: number;
  /** When the node encoded the tick (server clock). */
  serverTimeMs: number;
  /** The ownership epoch of the node that ticked it; it rises when another node takes the room over. */
  epoch: number;
  /** When it arrived, on {@link monotonicNow}'s clock. */
  receivedAt: number;
}

/** A room event, or a direct message. */
export interface RoomEvent {
  /** '' for a direct message sent without a room. */
  roomId: string;
  /** '' when the room itself sent it. */
  fromPlayer: string;
  name: string;
  payload: Uint8Array;
  /** Position in the room's event log (0 for a direct message). */
  offset: number;
  /** true: sent to this player only. */
  direct: boolean;
  /** The payload as UTF-8 text. */
  text(): string;
}

/** A delta was missed: deltas are ignored until the keyframe requested arrives. */
export interface GapInfo {
  roomId: string;
  expectedTick: number;
  tick: number;
}

/** The room was taken over by another node (its owner died or drained) and went on from its last
 *  snapshot: the state went back from `fromTick` to `toTick` (a keyframe). */
export interface RollbackInfo {
  roomId: string;
  fromEpoch: number;
  toEpoch: number;
  fromTick: number;
  toTick: number;
}

/** A connection lost, or closed for good. */
export interface DisconnectInfo {
  /** The WebSocket close code (`CloseCode`); 1006 when the connection was cut. */
  code: number;
  reason: string;
  /** false: the client stops (closed by the app, a fatal close code, or out of attempts). */
  willReconnect: boolean;
  /** Why it will not reconnect, as a typed error (code `CONNECTION_CLOSED` with `closeCode`,
   *  or `CLOSED`); undefined while it will. */
  error?: RoomcastError;
}

/** The events of {@link RoomcastClient}, by name: `client.on('state', (s) => ...)`. */
export interface ClientEvents<E = Uint8Array> {
  /** Every Welcome: the first connect, and each reconnect. */
  connect: WelcomeInfo;
  /** A welcomed connection was lost, or the client closed for good. Failed attempts only fire `reconnecting`. */
  disconnect: DisconnectInfo;
  /** A new attempt is scheduled after a drop. */
  reconnecting: { attempt: number; delayMs: number };
  /** Welcomed again after a drop: `resumed` true when the node kept the seats (they come back as
   *  `joined` with `resumed: true`); false when it started a new session (the client re-joins). */
  reconnect: { resumed: boolean; welcome: WelcomeInfo };
  /** An `Error` frame the server sent on its own, or a client-side problem (a failed re-join,
   *  an undecodable frame, a fatal close). Errors that answer a request reject its promise too. */
  error: RoomcastError;
  status: { status: ClientStatus; previous: ClientStatus };
  joined: JoinedInfo;
  left: LeftInfo;
  state: StateUpdate<E>;
  gap: GapInfo;
  /** The room moved to a new owner whose state is older than what we had (a takeover). */
  rollback: RollbackInfo;
  event: RoomEvent;
  /** Every pong: the RTT of that ping and the current clock offset estimate. */
  rtt: { rttMs: number; offsetMs: number };
}

/** A successful acknowledgement of an emit. */
export interface AckInfo {
  ackId: number;
  /** A room event's place in the room's event log (the sender does not get its own room
   *  event); 0 for a direct message. */
  eventOffset: number;
}
