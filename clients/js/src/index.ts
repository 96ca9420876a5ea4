/**
 * @roomcast/client — the client SDK of Roomcast, a backend for real-time multiplayer games.
 *
 * Start with {@link RoomcastClient}. The wire types generated from the protocol's .proto are
 * exported as `roomcast` (e.g. `roomcast.v1.ServerFrame`) for tools that speak the protocol
 * themselves.
 *
 * @packageDocumentation
 */
export { RoomcastClient, toBytes } from './client.js';
export type { ClientOptions, ConnectOptions, EntityDecoder } from './client.js';
export { RoomcastError } from './errors.js';
export type { ClientErrorCode, RoomcastErrorCode } from './errors.js';
export {
  CloseCode, FATAL_CLOSE_CODES, PROTOCOL_VERSION, closeCodeName, errorCodeName, leaveReasonName,
} from './codes.js';
export type { CloseCodeValue, LeaveReason, ServerErrorCode } from './codes.js';
export { backoffDelay, DEFAULT_RECONNECT } from './backoff.js';
export type { ReconnectOptions } from './backoff.js';
export { ClockSync, monotonicNow } from './clock.js';
export type { ClockSample } from './clock.js';
export { Emitter } from './emitter.js';
export type { WebSocketConstructor, WebSocketLike } from './transport.js';
export { roomcast, encodeClientFrame, decodeServerFrame } from './codec.js';
export type * from './types.js';
