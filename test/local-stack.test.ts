import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../sandbox/ports';

const ROOT = join(import.meta.dirname, '..');

/** True while any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Environment of a developer's shell: none of the settings that would skip a part. */
function cleanEnv(ports: Record<string, number>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(TEMPORAL_|.*_SERVICE_URL$|AUTH_MODE$|VITEST|NODE_ENV$)/.test(key)) delete env[key];
  }
  return { ...env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
}

/**
 * `npm start` as a developer runs it: one seeded order is completed over HTTP with the
 * printed curl, then Ctrl-C (SIGINT to the process group, as a terminal sends it) leaves
 * no process behind.
 */
describe('npm start: the whole service locally', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  });

  it('completes a seeded order through the printed API, then stops everything on Ctrl-C', async () => {
    const ports = {
      PORT: await freePort(),
      TEMPORAL_PORT: await freePort(),
      TEMPORAL_UI_PORT: await freePort(),
    };
    child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: cleanEnv(ports),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = child.pid as number;
    const output: string[] = [];
    const curl = new Promise<string>((resolve) => {
      createInterface({ input: child?.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        output.push(line);
        const body = /-d '(\{.*\})'/.exec(line)?.[1];
        if (body) resolve(body);
      });
    });
    const body = JSON.parse(await curl) as { order_id: string; clerk_user_id: string };
    const api = `http://127.0.0.1:${ports.PORT}`;
    expect(output.join('\n')).toContain(
      `Temporal     127.0.0.1:${ports.TEMPORAL_PORT}  (UI http://127.0.0.1:${ports.TEMPORAL_UI_PORT})`,
    );

    const health = await fetch(`${api}/health`);
    expect(await health.json()).toEqual({ status: 'healthy' });
    const ui = await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`);
    expect(ui.status).toBe(200);

    const triggered = await fetch(`${api}/triggerCompleteOrderWorkflow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(triggered.status).toBe(200);
    let completion: { status?: string; result?: { transferId?: string } } = {};
    while (completion.status !== 'COMPLETED') {
      await delay(100); // polling interval of a client; the saga's state decides when it ends
      completion = (await (
        await fetch(`${api}/orders/${body.order_id}/completion`)
      ).json()) as typeof completion;
      expect(['RUNNING', 'COMPLETED']).toContain(completion.status);
    }
    expect(completion.result?.transferId).toMatch(/^tr_/);

    process.kill(-pgid, 'SIGINT');
    const [code, signal] = await once(child, 'exit');
    // npm itself may die of the SIGINT it forwarded; what matters is what it leaves behind.
    expect(code === 0 || signal === 'SIGINT').toBe(true);
    const deadline = Date.now() + 30_000;
    while (groupAlive(pgid) && Date.now() < deadline) await delay(100);
    expect(groupAlive(pgid)).toBe(false);
    await expect(fetch(`${api}/health`)).rejects.toThrow();
  });
});
