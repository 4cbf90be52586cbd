// A Parley instance for the Node tests, started from the packaged application (jar or native
// executable) with what the JUnit runner passes: PARLEY_TEST_COMMAND (JSON array), PARLEY_TEST_ENV
// (JSON), PARLEY_TEST_PORT and PARLEY_TEST_MANAGEMENT_PORT (health and metrics).
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';

export const port = Number(process.env.PARLEY_TEST_PORT);
export const base = `http://127.0.0.1:${port}`;
const managementPort = Number(process.env.PARLEY_TEST_MANAGEMENT_PORT);
let server;

export async function until(condition, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function startServer(logName) {
  const log = openSync(`target/${logName}.log`, 'a');
  const [command, ...args] = JSON.parse(process.env.PARLEY_TEST_COMMAND);
  server = spawn(command, args, {
    env: { ...process.env, ...JSON.parse(process.env.PARLEY_TEST_ENV), PARLEY_HTTP_PORT: String(port),
      PARLEY_MANAGEMENT_PORT: String(managementPort), PARLEY_HTTP_HOST: '127.0.0.1' },
    stdio: ['ignore', log, log],
  });
  return until(async () => (await fetch(`http://127.0.0.1:${managementPort}/q/health/ready`).catch(() => ({ ok: false }))).ok, 90_000, 'server ready');
}

export async function stopServer() {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}
