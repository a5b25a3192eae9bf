/**
 * The API's routes: the one table from which the deployed HTTP API (lib/constructs/saga-api.ts)
 * and the local server (sandbox/local-api.ts) are both built, so a route exists in both or
 * in neither. Adding a route is a row here (and its handler, and docs/openapi.yaml, which a
 * test holds to this table). Pure data: no handler code is loaded by importing it. Here and
 * not in common/: common/ is in the worker image, whose build id an API change must not move.
 */

export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  /** As API Gateway writes it: `{name}` is a path parameter. */
  readonly path: string;
  /** The handler's file, relative to the repository root. */
  readonly entry: string;
  /** `authorizer`: the configured one (JWT or IAM); `open`: none (it must touch nothing). */
  readonly auth: 'authorizer' | 'open';
  /** The handler calls Temporal: it gets the Temporal settings and may read the credential. */
  readonly temporal: boolean;
  /** Id of its function in the CDK app (a rename would replace the deployed function). */
  readonly functionId: string;
}

export const API_ROUTES = {
  trigger: {
    method: 'POST',
    path: '/triggerCompleteOrderWorkflow',
    entry: 'functions/trigger/handler.ts',
    auth: 'authorizer',
    temporal: true,
    functionId: 'Trigger',
  },
  completion: {
    method: 'GET',
    path: '/orders/{orderId}/completion',
    entry: 'functions/completion/handler.ts',
    auth: 'authorizer',
    temporal: true,
    functionId: 'Completion',
  },
  health: {
    method: 'GET',
    path: '/health',
    entry: 'functions/health/handler.ts',
    auth: 'open',
    temporal: false,
    functionId: 'Health',
  },
} as const satisfies Record<string, ApiRoute>;

export type RouteName = keyof typeof API_ROUTES;

export const ROUTE_NAMES = Object.keys(API_ROUTES) as RouteName[];

/** API Gateway's route key, e.g. `GET /health`. */
export function routeKey(route: ApiRoute): string {
  return `${route.method} ${route.path}`;
}

export interface MatchedRoute {
  name: RouteName;
  routeKey: string;
  pathParameters?: Record<string, string>;
}

function pathPattern(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(parameter[1] as string);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), names };
}

const PATTERNS = ROUTE_NAMES.map((name) => ({ name, ...pathPattern(API_ROUTES[name].path) }));

/** The route a request goes to, as API Gateway would choose it; undefined for none. */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  for (const { name, pattern, names } of PATTERNS) {
    const route = API_ROUTES[name];
    const match = route.method === method ? pattern.exec(path) : null;
    if (!match) continue;
    if (names.length === 0) return { name, routeKey: routeKey(route) };
    const values = match.slice(1).map((value) => decodeURIComponent(value));
    return {
      name,
      routeKey: routeKey(route),
      pathParameters: Object.fromEntries(names.map((n, i) => [n, values[i] as string])),
    };
  }
  return undefined;
}
