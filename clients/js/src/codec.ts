/**
 * The wire codec: the classes pbjs generated from frames.proto (src/generated, built by
 * `npm run generate`), and the few conversions the client needs.
 */
import type Long from 'long';
import { roomcast } from './generated/frames.js';

export { roomcast };

const { ClientFrame, ServerFrame } = roomcast.v1;

/** Encodes one ClientFrame given as a plain object (exactly one body field set). */
export function encodeClientFrame(frame: roomcast.v1.IClientFrame): Uint8Array {
  return ClientFrame.encode(frame).finish();
}

/** Decodes one ServerFrame. Throws on bytes that are not one. */
export function decodeServerFrame(bytes: Uint8Array): roomcast.v1.ServerFrame {
  return ServerFrame.decode(bytes);
}

/** A 64-bit field as a number: protobufjs gives a Long where long.js is loadable (Node), else a number. */
export function toNumber(value: number | Long | null | undefined): number {
  if (value == null) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}
