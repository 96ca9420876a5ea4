// pbjs wrapper (`pbjs -w scripts/pbjs-esm-wrapper.js`): the es6 wrapper, but with a DEFAULT import
// of protobufjs/minimal. protobufjs is CommonJS: Node's ESM loader gives `import * as` only the
// names it can detect statically, and it cannot detect protobufjs's (they are set on an alias of
// `exports`), so `$protobuf.Reader` would be undefined. The default import is the whole
// module.exports in Node, in bundlers and in esbuild's CommonJS output alike.
import $protobuf from $DEPENDENCY;

$OUTPUT;

export { $root as default };
