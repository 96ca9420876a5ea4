// The "done when": `npm pack` gives a tarball that a fresh Node project installs and uses
// against a running node, from ES modules and from CommonJS, and whose types compile the
// README's quickstart (examples/).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { startNode } from './gateway.mjs';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let node;
let project;

before(async () => {
  project = mkdtempSync(join(tmpdir(), 'roomcast-client-user-'));
  node = await startNode();
});
after(async () => {
  await node?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

const consumer = (load) => `${load}
const client = new RoomcastClient();
const welcome = await client.connect(process.argv[2], { name: 'packed' });
const room = await client.join({ gameType: 'orb-rush' });
const seq = client.sendInput(room.roomId, new Uint8Array([13, 0, 0, 128, 63])); // DemoInput{dx: 1}
await new Promise((resolve) => client.on('state', (s) => { if (s.mySeq === seq) resolve(); }));
const ack = await client.emit(room.roomId, 'chat', 'hi', { ack: true });
client.close();
console.log(JSON.stringify({ session: welcome.sessionId, game: room.gameType, seq, ack: ack.ackId, close: CloseCode.SESSION_REPLACED }));
`;

it('packs into a tarball that a fresh project installs and uses from ESM and CommonJS, with types', { timeout: 240000 }, () => {
  // The real `npm pack`: its prepack script builds first (that output precedes the JSON).
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', project], { cwd: pkg, encoding: 'utf8' });
  const packed = JSON.parse(out.slice(out.indexOf('[\n')));
  const tarball = join(project, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  assert.ok(files.includes('dist/esm/index.js') && files.includes('dist/cjs/index.js') && files.includes('dist/esm/index.d.ts'));
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), `only the build is packed: ${files}`);

  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-game', private: true, type: 'module' }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project, stdio: 'inherit' });
  assert.deepEqual(readdirSync(join(project, 'node_modules', '@roomcast')), ['client']);

  writeFileSync(join(project, 'esm.mjs'), consumer("import { RoomcastClient, CloseCode } from '@roomcast/client';"));
  writeFileSync(join(project, 'cjs.cjs'), `(async () => {${consumer("const { RoomcastClient, CloseCode } = require('@roomcast/client');")}})()
    .catch((err) => { console.error(err); process.exit(1); });`);
  for (const script of ['esm.mjs', 'cjs.cjs']) {
    const out = JSON.parse(execFileSync(process.execPath, [script, node.wsUrl], { cwd: project, encoding: 'utf8', timeout: 20000 }));
    assert.equal(out.game, 'orb-rush', script);
    assert.equal(out.seq, 1, script);
    assert.ok(out.ack > 0, script);
    assert.equal(out.close, 4009, script);
  }

  // The quickstart and its CommonJS twin compile against the installed package's declarations.
  for (const file of ['quickstart.ts', 'require.cts', 'tsconfig.json']) copyFileSync(join(pkg, 'examples', file), join(project, file));
  execFileSync(process.execPath, [join(pkg, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
    { cwd: project, stdio: 'inherit' });
});
