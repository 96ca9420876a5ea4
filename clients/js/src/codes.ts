/**
 * Close codes, error codes and leave reasons of the Roomcast protocol, version 1
 * (docs/protocol.md in the Roomcast repository).
 */
import { roomcast } from './generated/frames.js';

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;

/**
 * WebSocket close codes. The node sends all but {@link CloseCode.CLIENT_TIMEOUT}, which this
 * client uses when it drops a connection that answers nothing.
 */
export const CloseCode = {
  /** A normal close (also what {@link RoomcastClient.close} sends). */
  NORMAL: 1000,
  /** No close frame: the connection was cut (network loss, killed node). Never sent on the wire. */
  ABNORMAL: 1006,
  /** A text frame arrived: the protocol is binary only. */
  UNSUPPORTED_DATA: 1003,
  /** A message over the node's max frame size (Welcome.limits.maxFrameBytes). */
  MESSAGE_TOO_BIG: 1009,
  /** The node is restarting or draining: reconnect (a resume works on the same node only). */
  SERVICE_RESTART: 1012,
  /** The node holds its maximum of sessions: retry later. */
  TRY_AGAIN_LATER: 1013,
  /** More than 20 undecodable frames on one connection. */
  BAD_FRAMES: 4000,
  /** The first frame was not a valid Hello. */
  HELLO_REQUIRED: 4001,
  /** No Hello within the node's handshake timeout. */
  HANDSHAKE_TIMEOUT: 4002,
  /** The node does not speak this protocol version. */
  UNSUPPORTED_VERSION: 4003,
  /** Slow consumer: too many reliable frames waited for this socket. */
  SLOW_CONSUMER: 4008,
  /** The session was resumed on another socket; this one is stale. */
  SESSION_REPLACED: 4009,
  /** Sent by this client: nothing arrived for `pongTimeoutMs` after a ping or the Hello. */
  CLIENT_TIMEOUT: 4100,
} as const;

/** A close code's number. */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** The name of a close code (`SESSION_REPLACED` for 4009), or `CLOSE_<code>` for one not listed. */
export function closeCodeName(code: number): string {
  for (const [name, value] of Object.entries(CloseCode)) if (value === code) return name;
  return `CLOSE_${code}`;
}

/**
 * The close codes after which this client does not reconnect: reconnecting would be refused the
 * same way (a client bug, an unsupported version) or would fight another live socket (4009).
 * Every other close (1006, 1012, 1013, 4002, 4008, ...) is followed by a reconnect and resume.
 */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.UNSUPPORTED_DATA,
  CloseCode.BAD_FRAMES,
  CloseCode.HELLO_REQUIRED,
  CloseCode.UNSUPPORTED_VERSION,
  CloseCode.SESSION_REPLACED,
]);

/** The server's error codes (`roomcast.v1.ErrorCode` names), e.g. `ROOM_FULL`. */
export type ServerErrorCode = keyof typeof roomcast.v1.ErrorCode;

/** Why a seat went away (`roomcast.v1.LeaveReason` names). */
export type LeaveReason = keyof typeof roomcast.v1.LeaveReason;

/** The name of an ErrorCode number (unknown numbers from a newer server: `ERROR_<n>`). */
export function errorCodeName(code: number | null | undefined): ServerErrorCode {
  const name = (roomcast.v1.ErrorCode as unknown as Record<number, string>)[code ?? 0];
  return (name ?? `ERROR_${code}`) as ServerErrorCode;
}

/** The name of a LeaveReason number. */
export function leaveReasonName(reason: number | null | undefined): LeaveReason {
  const name = (roomcast.v1.LeaveReason as unknown as Record<number, string>)[reason ?? 0];
  return (name ?? 'LEAVE_REASON_UNSPECIFIED') as LeaveReason;
}
