import { closeCodeName, type ServerErrorCode } from './codes.js';

/**
 * The codes a {@link RoomcastError} made by the client itself carries:
 * - `DISCONNECTED` the connection dropped while the request waited (a join, an acked emit);
 * - `TIMEOUT` no answer within `requestTimeoutMs` (or the emit's `timeoutMs`);
 * - `NOT_CONNECTED` the request was made while not connected;
 * - `ALREADY_CONNECTED` connect() called while connecting or connected;
 * - `CLOSED` the client was closed (or gave up reconnecting) before the request was answered;
 * - `CONNECTION_CLOSED` the node closed the connection with a code after which the client does
 *   not reconnect (see {@link RoomcastError.closeCode});
 * - `REJOIN_FAILED` a room held before a reconnect could not be joined again;
 * - `BAD_FRAME` the server sent something this client cannot decode;
 * - `CONNECT_FAILED` the WebSocket could not be created (bad URL, no WebSocket implementation).
 */
export type ClientErrorCode =
  | 'DISCONNECTED' | 'TIMEOUT' | 'NOT_CONNECTED' | 'ALREADY_CONNECTED' | 'CLOSED'
  | 'CONNECTION_CLOSED' | 'REJOIN_FAILED' | 'BAD_FRAME' | 'CONNECT_FAILED';

/** Every code a {@link RoomcastError} can carry. */
export type RoomcastErrorCode = ServerErrorCode | ClientErrorCode;

/**
 * An error from the server (an `Error` frame, a failed `Ack`, a closed connection) or from the
 * client itself. Test `code` (a string union, so a `switch` is checked by TypeScript), not the
 * message.
 */
export class RoomcastError extends Error {
  /** The ErrorCode name (e.g. `ROOM_FULL`), or a {@link ClientErrorCode}. */
  readonly code: RoomcastErrorCode;
  /** The server's human-readable message ('' when none), e.g. the room's reason for `EVENT_REJECTED`. */
  readonly serverMessage: string;
  /** The request id of the frame that caused it (0: none). */
  readonly requestId: number;
  /** For `CONNECTION_CLOSED` and `DISCONNECTED`: the WebSocket close code (see `CloseCode`), else 0. */
  readonly closeCode: number;

  constructor(code: RoomcastErrorCode, serverMessage = '', options: { requestId?: number; closeCode?: number } = {}) {
    super(serverMessage ? `${code}: ${serverMessage}` : code);
    this.name = 'RoomcastError';
    this.code = code;
    this.serverMessage = serverMessage;
    this.requestId = options.requestId ?? 0;
    this.closeCode = options.closeCode ?? 0;
  }

  /** The error for a connection the node closed with `code`. */
  static closed(code: number, reason: string): RoomcastError {
    return new RoomcastError('CONNECTION_CLOSED', `${closeCodeName(code)} (${code})${reason ? `: ${reason}` : ''}`,
      { closeCode: code });
  }
}
