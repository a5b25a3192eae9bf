import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidId, pathSegment } from '../common/workflow-safe/ids';
import { triggerBody } from '../functions/trigger/schema';

describe('Function: isValidId', () => {
  it.each([
    ['orderId', '3f1c2a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f'],
    ['runnerId', 'user_2abcXYZ09'],
    ['paymentId', 'pay_123-abc'],
    ['connectAccountId', 'acct_1Nv0FGQ9RKHgCVdK'],
  ] as const)('accepts a well-formed %s', (kind, value) => {
    expect(isValidId(kind, value)).toBe(true);
  });

  const hostile = [
    '..',
    '../admin',
    '%2e%2e',
    '%2F',
    'a/b',
    'a\\b',
    'a\u0000b',
    'a\nb',
    'a b',
    '',
    'ｕｓｅｒ',
    'user_\u202e',
    'x'.repeat(129),
  ];
  it.each(hostile)('rejects %j as a runner or payment id', (value) => {
    expect(isValidId('runnerId', value)).toBe(false);
    expect(isValidId('paymentId', value)).toBe(false);
  });

  it.each([
    '3F1C2A9E-8B7D-4C6E-9F10-2A3B4C5D6E7F',
    '3f1c2a9e8b7d4c6e9f102a3b4c5d6e7f',
    'order-1',
  ])('rejects %s as an order id (one canonical form, one workflow id per order)', (value) => {
    expect(isValidId('orderId', value)).toBe(false);
  });
});

describe('Function: pathSegment', () => {
  it('refuses to build a URL from an invalid id', () => {
    expect(() => pathSegment('paymentId', '../../admin')).toThrow('invalid paymentId');
  });
});

describe('Order id pattern: one source (common/workflow-safe/ids.ts)', () => {
  it('lets the trigger accept exactly the order ids the saga accepts, in either case', () => {
    const candidate = fc.oneof(
      fc.uuid().map((id) => id.toUpperCase()),
      fc.uuid(),
      fc.string({ maxLength: 40 }),
      fc.stringMatching(/^[0-9a-gA-G-]{36}$/),
    );
    fc.assert(
      fc.property(candidate, (orderId) => {
        const parsed = triggerBody.safeParse({ order_id: orderId, runner_id: 'user_1' });
        expect(parsed.success).toBe(isValidId('orderId', orderId.toLowerCase()));
        if (parsed.success) expect(parsed.data.orderId).toBe(orderId.toLowerCase());
      }),
    );
  });
});
