/**
 * Delta debugging on a scenario: one simplification at a time (drop an event, answer a
 * request normally, settle soon, a plainer decision...), kept when the scenario still
 * fails the same way, until no single simplification does.
 */
import type { Scenario } from './scenario';

/** A violation without its ids and numbers: "fails the same way" compares these. */
export function signature(violation: string): string {
  return violation
    .replace(/^[0-9a-f-]{36}: /, '')
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')
    .replace(/\b(tr|user|acct)_[A-Za-z0-9]+/g, '<$1>')
    .replace(/#\d+/g, '#n')
    .replace(/\d+/g, 'N')
    .slice(0, 60);
}

const clone = (s: Scenario): Scenario => structuredClone(s);

/** Every scenario one simplification away from `s`, the boldest first. */
export function simplifications(s: Scenario): Scenario[] {
  const out: Scenario[] = [];
  s.events.forEach((_, i) => {
    const c = clone(s);
    c.events.splice(i, 1);
    out.push(c);
  });
  for (const route of Object.keys(s.answers) as Array<keyof Scenario['answers']>) {
    const c = clone(s);
    delete c.answers[route];
    if (c.lasting === route) delete c.lasting;
    out.push(c);
    (s.answers[route] ?? []).forEach((answer, i) => {
      if (answer === 'normal') return;
      const d = clone(s);
      const list = d.answers[route] ?? [];
      list[i] = 'normal';
      while (list.at(-1) === 'normal' && d.lasting !== route) list.pop();
      out.push(d);
    });
  }
  if (s.lasting) {
    const c = clone(s);
    delete c.lasting;
    out.push(c);
  }
  s.events.forEach((e, i) => {
    if (e.act.do === 'decide' && e.act.mode !== 'plain') {
      const c = clone(s);
      c.events[i] = { at: e.at, act: { ...e.act, mode: 'plain' } };
      out.push(c);
    }
  });
  const tweak = (change: (c: Scenario) => void) => {
    const c = clone(s);
    change(c);
    if (JSON.stringify(c) !== JSON.stringify(s)) out.push(c);
  };
  tweak((c) => {
    c.settlement.release = 'soon';
  });
  tweak((c) => {
    c.settlement.revert = 'soon';
  });
  tweak((c) => {
    c.settlement.releaseFails = false;
  });
  tweak((c) => {
    c.order.payment = 'AUTHORIZED';
  });
  tweak((c) => {
    c.order.connectAccount = true;
  });
  return out;
}

/**
 * Shrinks `failing`: `fails` plays a candidate and says whether it still fails the same
 * way; candidates are tried `parallel` at a time, the first (in order) that fails wins.
 */
export async function shrink(
  failing: Scenario,
  fails: (s: Scenario) => Promise<boolean>,
  options: { parallel: number; maxRuns: number },
): Promise<{ scenario: Scenario; runs: number }> {
  let current = failing;
  let runs = 0;
  for (let progress = true; progress && runs < options.maxRuns; ) {
    progress = false;
    const candidates = simplifications(current);
    for (let at = 0; at < candidates.length && runs < options.maxRuns; at += options.parallel) {
      const batch = candidates.slice(at, at + options.parallel);
      runs += batch.length;
      const results = await Promise.all(batch.map(fails));
      const found = results.indexOf(true);
      if (found >= 0) {
        current = batch[found] as Scenario;
        progress = true;
        break;
      }
    }
  }
  return { scenario: current, runs };
}
