// Builds the package:
//   dist/esm/   ES module (index.js) + declarations, package.json {"type": "module"}
//   dist/cjs/   CommonJS (index.js) + the same declarations, package.json {"type": "commonjs"}
//   dist/browser/roomcast-client.js   one minified ES module with protobufjs inside, for a page
//                                     that loads it with <script type="module"> (the gateway's demo)
// The declarations are emitted once by tsc and copied to both folders: they use relative
// imports with .js extensions, so each folder's package.json tells TypeScript which module
// format the files beside it describe.
//
//   node scripts/build.mjs                              everything
//   node scripts/build.mjs --browser-only <outfile>     only the browser bundle, written to <outfile>
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const entry = join(root, 'src', 'index.ts');
const generated = join(root, 'src', 'generated', 'frames.js');
const proto = join(root, '..', '..', 'proto', 'src', 'main', 'protobuf', 'roomcast', 'v1', 'frames.proto');

// 1. The codec, when the contract changed (or was never generated).
if (!existsSync(generated) || statSync(generated).mtimeMs < statSync(proto).mtimeMs
    || statSync(generated).mtimeMs < statSync(join(root, 'scripts', 'generate.mjs')).mtimeMs) {
  execFileSync(process.execPath, [join(root, 'scripts', 'generate.mjs')], { stdio: 'inherit' });
}

const common = {
  entryPoints: [entry],
  bundle: true,
  target: 'es2020',
  legalComments: 'inline',
  logLevel: 'warning',
};

async function browser(outfile) {
  await esbuild.build({
    ...common,
    outfile,
    format: 'esm',
    platform: 'browser',
    minify: true,
    // Only imported when a runtime has no global WebSocket (Node 20); a browser always has one.
    external: ['ws'],
  });
}

const args = process.argv.slice(2);
if (args[0] === '--browser-only') {
  if (!args[1]) throw new Error('--browser-only needs an output file');
  await browser(args[1]);
  process.exit(0);
}

rmSync(dist, { recursive: true, force: true });
// 2. ESM and CommonJS: our code only; protobufjs and ws are dependencies, resolved by the user's
//    Node or bundler (one protobufjs for the SDK and the game's own messages).
const external = ['protobufjs', 'protobufjs/*', 'ws', 'long'];
await esbuild.build({ ...common, outfile: join(dist, 'esm', 'index.js'), format: 'esm', platform: 'neutral', external });
await esbuild.build({ ...common, outfile: join(dist, 'cjs', 'index.js'), format: 'cjs', platform: 'node', external });
writeFileSync(join(dist, 'esm', 'package.json'), '{ "type": "module" }\n');
writeFileSync(join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');

// 3. Declarations, once, copied beside both builds (with the generated frames.d.ts).
const types = join(root, 'build', 'types');
rmSync(types, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')],
  { stdio: 'inherit' });
mkdirSync(join(types, 'generated'), { recursive: true });
cpSync(join(root, 'src', 'generated', 'frames.d.ts'), join(types, 'generated', 'frames.d.ts'));
for (const format of ['esm', 'cjs']) cpSync(types, join(dist, format), { recursive: true });

// 4. The browser bundle.
await browser(join(dist, 'browser', 'roomcast-client.js'));

const size = (file) => `${(statSync(file).size / 1024).toFixed(1)} KiB`;
console.log(`built dist/: esm ${size(join(dist, 'esm', 'index.js'))}, cjs ${size(join(dist, 'cjs', 'index.js'))}, `
  + `browser ${size(join(dist, 'browser', 'roomcast-client.js'))}, ${readdirSync(join(dist, 'esm')).filter((f) => f.endsWith('.d.ts')).length} declaration files`);
