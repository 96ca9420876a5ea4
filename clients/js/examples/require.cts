// The CommonJS view of the package's types (a .cts file compiles to require()): the `require`
// condition of package.json's exports, dist/cjs/*.d.ts.
import { RoomcastClient, CloseCode, type JoinedInfo } from '@roomcast/client';

const client = new RoomcastClient();
export const replaced: number = CloseCode.SESSION_REPLACED;
export function seatOf(joined: JoinedInfo): number {
  return joined.seat;
}
client.close();
