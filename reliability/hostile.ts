/**
 * Hostile input: at least 100 malformed or malicious trigger requests, hand-written and
 * generated with fast-check. Every reply must be a 4xx JSON error, no saga may start, no
 * downstream service may be called, and the API must keep serving.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { ReliabilityEnvironment } from './environment';
import type { ScenarioResult } from './helpers';

interface HostileRequest {
  name: string;
  raw: string | Buffer;
  headers: Record<string, string>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const ORDER = () => randomUUID();

/** Strings that must never reach a downstream path. */
const TRAVERSALS = [
  '..',
  '../..',
  '%2e%2e',
  '%2e%2e%2f',
  '..%2f',
  '%252e%252e',
  '..\\',
  '/etc/passwd',
  'a/b',
  'a\\b',
  'a%00b',
  'a\u0000b',
  'a\nb',
  'a\rb',
  '\u202euser',
  'us\u0435r_1',
  '\uff0e\uff0e',
  'user_1 ',
  ' user_1',
  '',
];

function handWritten(): HostileRequest[] {
  const order = ORDER();
  const json = (name: string, body: unknown): HostileRequest => ({
    name,
    raw: JSON.stringify(body),
    headers: JSON_HEADERS,
  });
  return [
    ...TRAVERSALS.map((t) =>
      json(`runner ${JSON.stringify(t)}`, { order_id: order, runner_id: t }),
    ),
    ...TRAVERSALS.map((t) =>
      json(`order ${JSON.stringify(t)}`, { order_id: t, runner_id: 'user_1' }),
    ),
    {
      name: 'oversized body (1 MiB)',
      raw: JSON.stringify({ order_id: order, runner_id: 'x'.repeat(1 << 20) }),
      headers: JSON_HEADERS,
    },
    {
      name: 'deep nesting',
      raw: `{"order_id":"${order}","runner_id":"user_1","x":${'['.repeat(3000)}${']'.repeat(3000)}}`,
      headers: JSON_HEADERS,
    },
    {
      name: '__proto__ pollution',
      raw: `{"order_id":"${order}","runner_id":"user_1","__proto__":{"isAdmin":true}}`,
      headers: JSON_HEADERS,
    },
    {
      name: 'constructor pollution',
      raw: `{"order_id":"${order}","runner_id":"user_1","constructor":{"prototype":{"isAdmin":true}}}`,
      headers: JSON_HEADERS,
    },
    {
      name: 'invalid UTF-8',
      raw: Buffer.from([0x7b, 0x22, 0x6f, 0xc3, 0x28, 0x22, 0x7d]),
      headers: JSON_HEADERS,
    },
    {
      name: 'UTF-16 body',
      raw: Buffer.from(JSON.stringify({ order_id: order, runner_id: 'user_1' }), 'utf16le'),
      headers: { 'content-type': 'application/json; charset=utf-16' },
    },
    {
      name: 'text/plain',
      raw: JSON.stringify({ order_id: order, runner_id: 'user_1' }),
      headers: { 'content-type': 'text/plain' },
    },
    {
      name: 'application/jsonp',
      raw: JSON.stringify({ order_id: order, runner_id: 'user_1' }),
      headers: { 'content-type': 'application/jsonp' },
    },
    {
      name: 'no content type',
      raw: JSON.stringify({ order_id: order, runner_id: 'user_1' }),
      headers: {},
    },
    {
      name: 'multipart',
      raw: '--x\r\n\r\n{}\r\n--x--',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    },
    { name: 'truncated JSON', raw: `{"order_id":"${order}"`, headers: JSON_HEADERS },
    {
      name: 'JSON with comments',
      raw: `{"order_id":"${order}", /* x */ "runner_id":"user_1"}`,
      headers: JSON_HEADERS,
    },
    {
      name: 'duplicate keys, second hostile',
      raw: `{"order_id":"${order}","runner_id":"user_1","runner_id":"../x"}`,
      headers: JSON_HEADERS,
    },
    json('runner ids that differ', {
      order_id: order,
      runner_id: 'user_1',
      clerk_user_id: 'user_2',
    }),
    json('array body', [order, 'user_1']),
    json('null body', null),
    json('number body', 42),
  ];
}

const invalidId = fc.oneof(
  fc.constantFrom(...TRAVERSALS),
  fc
    .tuple(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('/', '\\', '.', '%', ' ', '\u0000', '\u2028', '\u0435', '\uff0f'),
      fc.string({ maxLength: 20 }),
    )
    .map(([a, bad, b]) => `${a}${bad}${b}`),
  fc.string({ minLength: 129, maxLength: 300 }).map((s) => `u${s.replace(/[^A-Za-z0-9]/g, 'x')}`),
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

/** Bodies where at least one field is invalid: each must be refused. */
const generated = fc.oneof(
  fc.record({ order_id: fc.uuid(), runner_id: fc.oneof(invalidId, wrongType) }),
  fc.record({ order_id: fc.oneof(invalidId, wrongType), runner_id: fc.constant('user_1') }),
  fc.record({ order_id: fc.uuid(), clerk_user_id: fc.oneof(invalidId, wrongType) }),
  fc.record({
    order_id: fc.uuid(),
    runner_id: fc.constant('user_1'),
    extra: fc.jsonValue({ maxDepth: 3 }),
  }),
  fc.record({ order_id: fc.uuid() }),
);

export function hostileCorpus(generatedCount = 100): HostileRequest[] {
  const samples = fc.sample(generated, { numRuns: generatedCount, seed: 20261125 });
  return [
    ...handWritten(),
    ...samples.map((body, i) => ({
      name: `generated #${i}`,
      raw: JSON.stringify(body),
      headers: JSON_HEADERS,
    })),
  ];
}

export async function hostileInput(env: ReliabilityEnvironment): Promise<ScenarioResult> {
  const started = Date.now();
  const corpus = hostileCorpus();
  const sagasBefore = (await env.client.workflow.count()).count;
  const requestsBefore = env.sandbox.state.requestCount;
  const violations: string[] = [];
  for (const request of corpus) {
    const reply = await env.trigger(undefined, {
      raw: request.raw as string,
      headers: request.headers,
    });
    const body = reply.json as { error?: unknown; message?: unknown } | undefined;
    const isError = typeof body?.error === 'string' && typeof body?.message === 'string';
    if (
      reply.status < 400 ||
      reply.status > 499 ||
      !reply.contentType?.startsWith('application/json') ||
      !isError
    ) {
      violations.push(`${request.name}: ${reply.status} ${JSON.stringify(reply.json)}`);
    }
  }
  const sagasAfter = (await env.client.workflow.count()).count;
  if (sagasAfter !== sagasBefore) violations.push(`${sagasAfter - sagasBefore} sagas started`);
  if (env.sandbox.state.requestCount !== requestsBefore)
    violations.push('a downstream service was called');
  const health = await fetch(`${env.api.url}/health`);
  if (health.status !== 200) violations.push(`health answered ${health.status} afterwards`);
  const seeded = env.sandbox.state.seedOrder();
  const valid = await env.trigger({ order_id: seeded.orderId, runner_id: seeded.runnerId });
  if (valid.status !== 200) violations.push(`a valid trigger afterwards answered ${valid.status}`);
  await env.client.workflow.getHandle(`complete-order-workflow-${seeded.orderId}`).result();
  return {
    scenario: 'hostile input over HTTP',
    orders: 1,
    faults: `${corpus.length} malformed/malicious requests`,
    outcomes: `${corpus.length - violations.length} refused with a 4xx JSON error; API kept serving`,
    violations,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
