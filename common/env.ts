/**
 * Reading settings from environment variables, for every process that has them (the API
 * functions, the worker, the local stack): each problem throws a ConfigError whose message
 * names the variable, so a bad setting stops startup saying which one. Pure: no Node APIs.
 */

/** A setting is missing or malformed; the message names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

/** The variable's value; undefined when it is unset or empty. */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** `a, b or c`. */
function either(values: readonly string[]): string {
  return values.length < 2
    ? values.join('')
    : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/**
 * `raw` as an integer from `min` to `max`; `fallback` when `raw` is undefined. Callers pass
 * `envValue(...)` (empty means unset) or the variable as it is (empty is a mistake).
 */
export function integerSetting(
  name: string,
  raw: string | undefined,
  { fallback, min, max }: { fallback: number; min: number; max: number },
): number {
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** An integer variable; unset or empty: `fallback`. */
export function integerVar(
  env: Env,
  name: string,
  range: { fallback: number; min: number; max: number },
): number {
  return integerSetting(name, envValue(env, name), range);
}

/**
 * `raw` as one of `allowed` (after `normalize`); `fallback` when `raw` is undefined. The
 * message quotes the value as it was given.
 */
export function oneOfSetting<T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[],
  fallback: T,
  normalize: (value: string) => string = (value) => value,
): T {
  const value = raw === undefined ? fallback : normalize(raw);
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name} must be ${either(allowed)}, got ${JSON.stringify(raw)}`);
}

/** `value` when it is an http(s) URL. */
export function httpUrlSetting(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL`);
  }
  return value;
}
