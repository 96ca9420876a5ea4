/**
 * The demo's protocol client. The demo runs on @roomcast/client (clients/js), which the gateway
 * build bundles to /sdk/roomcast-client.js when it has node and npm; a build without them serves
 * no bundle, and the demo falls back to the hand-written roomcast-client.js beside this file
 * (clients/js/README.md, "Building the demo's bundle", says why). Both speak the same API as far
 * as the demo uses it; the games' own messages are parsed from their .proto files at run time
 * with protobufjs (/vendor/protobuf.min.js) either way.
 *
 * @module client
 */
const BUNDLE_URL = '/sdk/roomcast-client.js';

const sdk = await import(BUNDLE_URL).catch(() => null);
const fallback = sdk ? null : await import('./roomcast-client.js');

/** Which client the page runs on: `sdk` (@roomcast/client) or `fallback` (roomcast-client.js). */
export const CLIENT_KIND = sdk ? 'sdk' : 'fallback';

/** A monotonic clock in ms (the time base of `state.receivedAt`). */
export const monotonicNow = (sdk ?? fallback).monotonicNow;

/** `ws(s)://<this page's host>/ws`. */
export function defaultUrl() {
  return (sdk ?? fallback).RoomcastClient.defaultUrl();
}

/**
 * A client, and `type(fullName)` to look up the games' message types.
 * @param {string[]} gameProtoUrls the game's .proto files, e.g. `/proto/roomcast/games/demo.proto`
 * @returns {Promise<{client: any, type: (fullName: string) => any}>}
 */
export async function createClient(gameProtoUrls) {
  if (!sdk) {
    const client = await fallback.RoomcastClient.load([fallback.FRAMES_PROTO_URL, ...gameProtoUrls]);
    return { client, type: (name) => client.type(name) };
  }
  const pb = globalThis.protobuf;
  if (!pb) throw new Error('protobufjs not loaded: include /vendor/protobuf.min.js first');
  const texts = await Promise.all(gameProtoUrls.map(async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status}`);
    return response.text();
  }));
  const root = new pb.Root();
  for (const text of texts) pb.parse(text, root);
  root.resolveAll();
  return { client: new sdk.RoomcastClient(), type: (name) => root.lookupType(name) };
}
