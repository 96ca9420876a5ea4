// The README's quickstart, type-checked by the tests (test/pack.test.mjs compiles it against the
// packed package, as a user's project would). Orb Rush: connect, join, send input, render state.
import { RoomcastClient, RoomcastError, CloseCode, type StateUpdate } from '@roomcast/client';
import protobuf from 'protobufjs';

// The game's own messages (proto/src/main/protobuf/roomcast/games/demo.proto).
interface Avatar { seat: number; name: string; x: number; y: number; score: number }
interface DemoEntity { avatar?: Avatar; orb?: { x: number; y: number; value: number } }
const game = await protobuf.load('demo.proto');
const Input = game.lookupType('roomcast.games.demo.DemoInput');
const Entity = game.lookupType('roomcast.games.demo.DemoEntity');

const client = new RoomcastClient<DemoEntity>({
  decodeEntity: (bytes) => Entity.toObject(Entity.decode(bytes)) as DemoEntity,
});
client.on('state', (s: StateUpdate<DemoEntity>) => {
  for (const entity of s.entities.values()) if (entity.avatar) console.log(entity.avatar.name, entity.avatar.x);
});
client.on('disconnect', ({ code, willReconnect }) => console.log(`lost (${code}), reconnecting: ${willReconnect}`));
await client.connect('ws://localhost:8080/ws', { name: 'Alice' });
const room = await client.join({ gameType: 'orb-rush' });
client.sendInput(room.roomId, Input.encode({ dx: 1, dy: 0 }).finish());

try {
  await client.emit(room.roomId, 'chat', 'hello', { ack: true });
} catch (err) {
  if (err instanceof RoomcastError && err.code === 'RATE_LIMITED') console.log('slow down');
  if (err instanceof RoomcastError && err.closeCode === CloseCode.SESSION_REPLACED) console.log('resumed elsewhere');
}

// The types catch mistakes:
// @ts-expect-error: there is no 'stat' event
client.on('stat', () => {});
// @ts-expect-error: not an error code
if (new RoomcastError('TIMEOUT').code === 'TIME_OUT') console.log('never');
// @ts-expect-error: a quick-join names a game, options are strings
client.join({ options: { mode: 1 } });
client.close();
