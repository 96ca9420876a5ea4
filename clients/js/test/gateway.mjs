// Starts a real Roomcast node for a test file: the gateway's runnable jar
// (gateway/target/roomcast-gateway.jar + lib/, built by `./mvnw -pl gateway -am package`) with
// PORT=0 HOST=127.0.0.1, as the Java tests' NodeProcess does. It prints its URL once listening;
// stop() kills it by its PID.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const GATEWAY_JAR = process.env.ROOMCAST_GATEWAY_JAR
  ?? join(here, '..', '..', '..', 'gateway', 'target', 'roomcast-gateway.jar');

function java() {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * @param {Record<string, string>} [env] settings (e.g. SEAT_GRACE_MS)
 * @returns {Promise<{url: string, wsUrl: string, port: number, pid: number, output: string[], stop: () => Promise<void>}>}
 */
export async function startNode(env = {}) {
  if (!existsSync(GATEWAY_JAR)) {
    throw new Error(`no gateway jar at ${GATEWAY_JAR}: run ./mvnw -pl gateway -am package -DskipTests first`);
  }
  const child = spawn(java(), ['-Xmx256m', '-jar', GATEWAY_JAR], {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not print its URL in 30 s: ${output.join('\n')}`)), 30000);
    const onLine = (chunk) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        output.push(line);
        const url = /Play the demo.*http:\/\/[^:]+:(\d+)\//.exec(line);
        if (url) { clearTimeout(timer); resolve(Number(url[1])); }
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`node exited (${code}): ${output.join('\n')}`)); });
  });
  return {
    port,
    pid: child.pid,
    url: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
  };
}

/** Resolves with the first value `probe()` returns that is not undefined, polled until `timeoutMs`. */
export async function eventually(probe, { timeoutMs = 10000, intervalMs = 20, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The next `type` event of `client` (optionally the first that `filter` accepts), with a deadline. */
export function next(client, type, filter = () => true, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no '${type}' event within ${timeoutMs} ms`)); }, timeoutMs);
    const off = client.on(type, (detail) => {
      if (!filter(detail)) return;
      clearTimeout(timer);
      off();
      resolve(detail);
    });
  });
}
