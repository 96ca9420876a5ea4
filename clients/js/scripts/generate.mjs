// Generates the protocol codec from the contract, proto/src/main/protobuf/roomcast/v1/frames.proto:
// src/generated/frames.js (pbjs static code, ES module) and src/generated/frames.d.ts (pbts).
// Nothing generated is committed; `npm run build` runs this first.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, '..', '..', 'proto', 'src', 'main', 'protobuf');
const outDir = join(root, 'src', 'generated');
const bin = (name) => join(root, 'node_modules', 'protobufjs-cli', 'bin', name);
mkdirSync(outDir, { recursive: true });

execFileSync(process.execPath, [bin('pbjs'),
  '--target', 'static-module',
  '--wrap', join(root, 'scripts', 'pbjs-esm-wrapper.js'),
  '--dependency', 'protobufjs/minimal.js',
  '--es6',
  '--no-convert',            // no fromObject/toObject: encode takes plain objects, decode is mapped by hand
  '--no-verify', '--no-delimited', '--no-typeurl', '--no-service',
  '--path', protoDir,
  '--out', join(outDir, 'frames.js'),
  join(protoDir, 'roomcast', 'v1', 'frames.proto'),
], { stdio: 'inherit' });

execFileSync(process.execPath, [bin('pbts'),
  '--out', join(outDir, 'frames.d.ts'),
  join(outDir, 'frames.js'),
], { stdio: 'inherit' });
