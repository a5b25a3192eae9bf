/**
 * Cost per 1,000 sagas, all in, at a steady order rate: pure arithmetic on measured
 * per-saga figures (the typed {@link CostInputs}) and the list prices below. Each price
 * names where it was read and when; a price not found in the pages read is marked as an
 * assumption. us-east-1, on-demand, no free tier, no commitment discounts.
 */

/** Prices read 2026-11-26 (stored copies of the pages named). */
export const PRICES = {
  temporalActionsPerMillion: {
    // Tiered per calendar month (Business plan and up); the Developer plan is $50 at every volume.
    tiers: [
      { upTo: 5e6, usd: 50 },
      { upTo: 10e6, usd: 45 },
      { upTo: 20e6, usd: 40 },
      { upTo: 50e6, usd: 35 },
      { upTo: 100e6, usd: 30 },
      { upTo: 200e6, usd: 25 },
      // "Over 200M: contact Sales": assumption, the last listed tier.
      { upTo: Number.POSITIVE_INFINITY, usd: 25 },
    ],
    source: 'https://docs.temporal.io/cloud/pricing (Pay-As-You-Go, Action pricing)',
  },
  temporalActiveGBh: { usd: 0.042, source: 'https://docs.temporal.io/cloud/pricing (Storage)' },
  temporalRetainedGBh: {
    usd: 0.00105,
    source: 'https://docs.temporal.io/cloud/pricing (Storage)',
  },
  /**
   * Business plan: the greater of $500/month or 10% of usage; it includes 2.5M Actions,
   * 2.5 GB of active and 100 GB of retained storage a month (1 GB = 744 GBh), and usage is
   * billed beyond those allocations.
   */
  temporalPlan: {
    minimumUsd: 500,
    share: 0.1,
    includedActions: 2.5e6,
    includedActiveGBh: 2.5 * 744,
    includedRetainedGBh: 100 * 744,
    source:
      'https://docs.temporal.io/cloud/pricing (Support plans table; Temporal Cloud Plan pricing)',
  },
  httpApiPerMillion: {
    usd: 1.0,
    source: 'https://www.apigatewaycost.com/aws, https://amnic.com/blogs/aws-api-gateway-pricing',
  },
  lambdaRequestsPerMillion: {
    usd: 0.2,
    source: 'https://git.mcrn.ar/mariano/lambda_local_runner (docs lambda-13-cost.md)',
  },
  lambdaArmGBs: {
    usd: 0.0000133334,
    source: 'https://cloudchipr.com/blog/aws-lambda-pricing (ARM, first 7.5 billion GB-s)',
  },
  fargateArmVcpuHour: { usd: 0.03238, source: 'https://www.vantage.sh/blog/fargate-pricing' },
  fargateArmGBHour: { usd: 0.00356, source: 'https://www.vantage.sh/blog/fargate-pricing' },
  natHour: { usd: 0.045, source: 'https://basavytix.com/blog/aws-nat-gateway-pricing' },
  natGB: { usd: 0.045, source: 'https://basavytix.com/blog/aws-nat-gateway-pricing' },
  /** Worker ↔ Temporal Cloud over public endpoints in the same region. */
  transferGB: {
    usd: 0.01,
    source: 'ASSUMPTION: not in the pages read; the usual in-region rate between public IPs',
  },
  logsIngestGB: {
    usd: 0.5,
    source: 'https://go-cloud.io/aws-api-gateway-pricing ("$0.50 per GB ingested")',
  },
  /** Fixed monitoring per month: the project's own at-rest list (README, Cost at rest). */
  monitoringMonth: {
    usd: 8 + 7.5 + 0.8 + 1,
    source:
      'README.md "Cost at rest": CloudWatch ≈ $8, Container Insights ≈ $5–10 (7.5 used), Secrets $0.80, KMS $1',
  },
} as const;

export const HOURS_PER_MONTH = 730;

/** What one saga costs, as measured (or, where labelled, assumed). */
export interface CostInputs {
  /** Temporal Cloud actions of one happy-path saga (its claim workflow included). */
  actionsPerSaga: number;
  /** Protobuf bytes of the saga's and its claim's histories. */
  historyBytesPerSaga: number;
  /** Where the two figures above come from ("actions section" or a labelled placeholder). */
  actionsSource: string;
  /** Seconds the saga's histories stay open (active storage). */
  openSecondsPerSaga: number;
  /** Namespace retention of closed workflows, days. */
  retentionDays: number;
  /** Completion polls (GET /orders/{id}/completion) per saga; each is one query action. */
  completionPollsPerSaga: number;
  triggerLambdaMs: number;
  completionLambdaMs: number;
  lambdaMemoryMiB: number;
  /** The backlog publisher: once a minute, whatever the traffic. */
  backlogLambdaMs: number;
  backlogMemoryMiB: number;
  /** Sagas per second one task sustains at the scaling target (the sizing rule). */
  sagasPerSecondPerTask: number;
  task: { vcpu: number; memoryGiB: number; minTasks: number };
  natGateways: number;
  /** Worker bytes per saga through the NAT gateway (an upper bound: all its socket I/O). */
  natBytesPerSaga: number;
  /** Log bytes per saga: worker lines (measured) + API access log + Lambda lines. */
  logBytesPerSaga: number;
}

function tieredActionsUsd(actions: number): number {
  let usd = 0;
  let from = 0;
  for (const tier of PRICES.temporalActionsPerMillion.tiers) {
    const inTier = Math.max(0, Math.min(actions, tier.upTo) - from);
    usd += (inTier / 1e6) * tier.usd;
    from = tier.upTo;
    if (actions <= tier.upTo) break;
  }
  return usd;
}

export interface CostRow {
  ordersPerMinute: number;
  sagasPerMonth: number;
  tasks: number;
  /** USD per 1,000 sagas, by item. */
  per1000: Record<string, number>;
  total: number;
  monthly: number;
}

const GB = 1e9;

/** Cost per 1,000 sagas at `ordersPerMinute`, steady for a month. */
export function costAt(i: CostInputs, ordersPerMinute: number): CostRow {
  const perSecond = ordersPerMinute / 60;
  const sagas = perSecond * 3600 * HOURS_PER_MONTH;
  const actions = sagas * (i.actionsPerSaga + i.completionPollsPerSaga);
  const plan = PRICES.temporalPlan;
  const actionsUsd = tieredActionsUsd(Math.max(0, actions - plan.includedActions));
  const historyGB = (sagas * i.historyBytesPerSaga) / GB;
  const activeGBh = historyGB * (i.openSecondsPerSaga / 3600);
  const activeUsd = Math.max(0, activeGBh - plan.includedActiveGBh) * PRICES.temporalActiveGBh.usd;
  // Steady state: a month's closed histories are each kept retentionDays.
  const retainedGBh = historyGB * i.retentionDays * 24;
  const retainedUsd =
    Math.max(0, retainedGBh - plan.includedRetainedGBh) * PRICES.temporalRetainedGBh.usd;
  const usage = actionsUsd + activeUsd + retainedUsd;
  const planUsd = Math.max(plan.minimumUsd, plan.share * usage);
  const requests = sagas * (1 + i.completionPollsPerSaga);
  const apiUsd = (requests / 1e6) * PRICES.httpApiPerMillion.usd;
  const gbs =
    (i.lambdaMemoryMiB / 1024) *
    ((i.triggerLambdaMs + i.completionPollsPerSaga * i.completionLambdaMs) / 1000);
  const backlogInvocations = 60 * HOURS_PER_MONTH;
  const lambdaUsd =
    (requests / 1e6) * PRICES.lambdaRequestsPerMillion.usd +
    sagas * gbs * PRICES.lambdaArmGBs.usd +
    (backlogInvocations / 1e6) * PRICES.lambdaRequestsPerMillion.usd +
    backlogInvocations *
      (i.backlogMemoryMiB / 1024) *
      (i.backlogLambdaMs / 1000) *
      PRICES.lambdaArmGBs.usd;
  const tasks = Math.max(i.task.minTasks, Math.ceil(perSecond / i.sagasPerSecondPerTask));
  const fargateUsd =
    tasks *
    HOURS_PER_MONTH *
    (i.task.vcpu * PRICES.fargateArmVcpuHour.usd + i.task.memoryGiB * PRICES.fargateArmGBHour.usd);
  const natGB = (sagas * i.natBytesPerSaga) / GB;
  const natUsd = i.natGateways * HOURS_PER_MONTH * PRICES.natHour.usd + natGB * PRICES.natGB.usd;
  const transferUsd = natGB * PRICES.transferGB.usd;
  const logsUsd = ((sagas * i.logBytesPerSaga) / GB) * PRICES.logsIngestGB.usd;
  const monthly: Record<string, number> = {
    'Temporal actions': actionsUsd,
    'Temporal storage': activeUsd + retainedUsd,
    'Temporal plan (Business)': planUsd,
    'API Gateway': apiUsd,
    Lambda: lambdaUsd,
    Fargate: fargateUsd,
    'NAT gateway': natUsd,
    'data transfer': transferUsd,
    'CloudWatch logs': logsUsd,
    'CloudWatch metrics, alarms, secrets': PRICES.monitoringMonth.usd,
  };
  const per1000 = Object.fromEntries(
    Object.entries(monthly).map(([k, v]) => [k, (v / sagas) * 1000]),
  );
  const total = Object.values(per1000).reduce((a, b) => a + b, 0);
  const month = Object.values(monthly).reduce((a, b) => a + b, 0);
  return { ordersPerMinute, sagasPerMonth: sagas, tasks, per1000, total, monthly: month };
}

export function costTable(i: CostInputs, rates = [10, 100, 1000]): CostRow[] {
  return rates.map((r) => costAt(i, r));
}
