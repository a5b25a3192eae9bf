import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { workflowIdFor } from '../common/workflow-safe/names';
import { handler as trigger } from '../functions/trigger/handler';
import { invoke, TRIGGER_ROUTE, triggerRequest } from './support/api';
import { useHarness } from './support/harness';

const ORDER = randomUUID();
const RUNNER = 'user_2abcDEF';
const json = { 'content-type': 'application/json' };

interface BadCase {
  name: string;
  body: unknown;
  raw?: boolean;
  headers?: Record<string, string>;
  status: number;
  error: string;
  /** A phrase the message must contain, so the caller learns what is wrong. */
  says?: string;
}

const cases: BadCase[] = [
  { name: 'malformed JSON', body: '{"order_id": ', raw: true, status: 400, error: 'INVALID_JSON' },
  { name: 'an empty body', body: '', raw: true, status: 400, error: 'INVALID_JSON' },
  {
    name: 'a text/plain body',
    body: { order_id: ORDER, runner_id: RUNNER },
    headers: { 'content-type': 'text/plain' },
    status: 415,
    error: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'no content type',
    body: { order_id: ORDER, runner_id: RUNNER },
    headers: {},
    status: 415,
    error: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a form body',
    body: `order_id=${ORDER}`,
    raw: true,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    error: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a body over 4096 bytes',
    body: { order_id: ORDER, runner_id: RUNNER, pad: 'x'.repeat(5000) },
    status: 413,
    error: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'invalid UTF-8',
    body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    raw: true,
    status: 400,
    error: 'INVALID_JSON',
    says: 'UTF-8',
  },
  {
    name: 'a __proto__ key',
    body: `{"order_id":"${ORDER}","runner_id":"${RUNNER}","__proto__":{"admin":true}}`,
    raw: true,
    status: 400,
    error: 'INVALID_JSON',
    says: 'forbidden',
  },
  {
    name: 'a constructor.prototype key',
    body: `{"order_id":"${ORDER}","runner_id":"${RUNNER}","constructor":{"prototype":{"x":1}}}`,
    raw: true,
    status: 400,
    error: 'INVALID_JSON',
  },
  {
    name: 'a JSON array',
    body: [ORDER, RUNNER],
    status: 400,
    error: 'INVALID_REQUEST',
    says: 'object',
  },
  { name: 'JSON null', body: null, status: 400, error: 'INVALID_REQUEST' },
  { name: 'a JSON string', body: ORDER, status: 400, error: 'INVALID_REQUEST' },
  {
    name: 'a missing order_id',
    body: { runner_id: RUNNER },
    status: 400,
    error: 'INVALID_REQUEST',
    says: 'order_id is required',
  },
  {
    name: 'a missing runner',
    body: { order_id: ORDER },
    status: 400,
    error: 'INVALID_REQUEST',
    says: 'runner_id',
  },
  {
    name: 'a numeric order_id',
    body: { order_id: 42, runner_id: RUNNER },
    status: 400,
    error: 'INVALID_REQUEST',
    says: 'order_id',
  },
  {
    name: 'an array runner_id',
    body: { order_id: ORDER, runner_id: [RUNNER] },
    status: 400,
    error: 'INVALID_REQUEST',
    says: 'runner_id',
  },
  {
    name: 'an object order_id',
    body: { order_id: { $ne: null }, runner_id: RUNNER },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'an order_id that is not a UUID',
    body: { order_id: 'order-42', runner_id: RUNNER },
    status: 400,
    error: 'INVALID_REQUEST',
    says: 'UUID',
  },
  {
    name: 'a traversal runner_id',
    body: { order_id: ORDER, runner_id: '../../admin' },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'an encoded traversal runner_id',
    body: { order_id: ORDER, runner_id: '%2e%2e%2fadmin' },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'a runner_id with a slash',
    body: { order_id: ORDER, runner_id: 'user/2abc' },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'a runner_id with a backslash',
    body: { order_id: ORDER, runner_id: 'user\\2abc' },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'a runner_id with a NUL',
    body: { order_id: ORDER, runner_id: 'user\u00002abc' },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'a runner_id with a newline',
    body: { order_id: ORDER, runner_id: 'user_2abc\nx' },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'a Cyrillic confusable in runner_id',
    body: { order_id: ORDER, runner_id: 'us\u0435r_2abc' },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'fullwidth digits in order_id',
    body: { order_id: `\uff11${ORDER.slice(1)}`, runner_id: RUNNER },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'a right-to-left override',
    body: { order_id: ORDER, runner_id: 'user_\u202e2abc' },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'a huge runner_id',
    body: { order_id: ORDER, runner_id: 'u'.repeat(2000) },
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'an unknown field',
    body: { order_id: ORDER, runner_id: RUNNER, amount: 100 },
    status: 400,
    error: 'INVALID_REQUEST',
    says: 'amount',
  },
  {
    name: 'deep nesting',
    body: `{"order_id":"${ORDER}","runner_id":"${RUNNER}","x":${'['.repeat(500)}${']'.repeat(500)}}`,
    raw: true,
    status: 400,
    error: 'INVALID_REQUEST',
  },
  {
    name: 'runner_id and clerk_user_id that differ',
    body: { order_id: ORDER, runner_id: RUNNER, clerk_user_id: 'user_other' },
    status: 400,
    error: 'INVALID_REQUEST',
    says: 'differ',
  },
];

describe('Function: trigger handler rejects bad input', () => {
  const h = useHarness({ api: true });

  it.each(cases)('answers $status $error to $name, and starts nothing', async (c) => {
    const request = triggerRequest(c.body, { raw: c.raw, headers: c.headers ?? json });
    const reply = await invoke(trigger, request, TRIGGER_ROUTE, '/triggerCompleteOrderWorkflow');
    expect(reply.status).toBe(c.status);
    expect(reply.body.error).toBe(c.error);
    expect(String(reply.body.message)).toContain(c.says ?? '');
    expect(JSON.stringify(reply.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    const started = await h.client.workflow
      .getHandle(workflowIdFor(ORDER))
      .describe()
      .then(
        () => true,
        () => false,
      );
    expect(started).toBe(false);
    expect(h.sandbox.state.ledger).toHaveLength(0);
  });
});
