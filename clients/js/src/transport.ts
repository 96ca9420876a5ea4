/**
 * The WebSocket this client needs: the browser's, Node's global one (Node >= 22), or the `ws`
 * package (Node 20), which all share this shape.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void): void;
  removeEventListener(type: string, listener: (event: any) => void): void;
}

/** A WebSocket constructor: `new (url) => socket`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `WebSocket.OPEN`. */
export const OPEN = 1;

/**
 * The WebSocket implementation to use: the one given, else the global one, else the `ws`
 * package (loaded only then, so browsers and bundles never touch it).
 */
export async function resolveWebSocket(given?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (given) return given;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  try {
    const ws = await import('ws');
    return (ws.WebSocket ?? ws.default) as unknown as WebSocketConstructor;
  } catch (err) {
    throw new Error(`no WebSocket implementation: install the 'ws' package or pass options.WebSocket (${String(err)})`);
  }
}
