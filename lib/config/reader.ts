/**
 * Reads one environment's raw settings, collecting every problem (each naming its setting
 * by its full path) so a synth reports all of them at once.
 */
export type Raw = Record<string, unknown>;

export class Reader {
  readonly problems: string[] = [];
  constructor(readonly prefix: string) {}

  /** The full name of a setting, as the messages print it. */
  name(path: string): string {
    return `${this.prefix}.${path}`;
  }

  at(raw: Raw | undefined, path: string): unknown {
    return path.split('.').reduce<unknown>((node, key) => (node as Raw | undefined)?.[key], raw);
  }

  problem(path: string, message: string): void {
    this.problems.push(`${this.name(path)} ${message}`);
  }

  string(raw: Raw | undefined, path: string, fallback?: string): string {
    const value = this.at(raw, path) ?? fallback;
    if (typeof value === 'string' && value.length > 0) return value;
    this.problem(path, 'is required (a non-empty string)');
    return '';
  }

  url(raw: Raw | undefined, path: string): string {
    const value = this.string(raw, path);
    if (value && !isUrl(value, ['http:', 'https:'])) this.problem(path, 'must be an http(s) URL');
    return value;
  }

  /** API Gateway fetches an issuer's keys over TLS only. */
  httpsUrl(raw: Raw | undefined, path: string): string {
    const value = this.string(raw, path);
    if (value && !isUrl(value, ['https:'])) this.problem(path, 'must be an https URL');
    return value;
  }

  int(raw: Raw | undefined, path: string, fallback: number, min: number, max: number): number {
    const value = this.at(raw, path) ?? fallback;
    if (Number.isInteger(value) && (value as number) >= min && (value as number) <= max)
      return value as number;
    this.problem(path, `must be an integer from ${min} to ${max}`);
    return fallback;
  }

  bool(raw: Raw | undefined, path: string, fallback: boolean): boolean {
    const value = this.at(raw, path) ?? fallback;
    if (typeof value === 'boolean') return value;
    this.problem(path, 'must be true or false');
    return fallback;
  }

  strings(raw: Raw | undefined, path: string, fallback?: string[]): string[] {
    const value = this.at(raw, path) ?? fallback;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    this.problem(path, 'must be a list of strings');
    return [];
  }

  oneOf<T extends string>(
    raw: Raw | undefined,
    path: string,
    allowed: readonly T[],
    fallback?: T,
  ): T {
    const value = this.at(raw, path) ?? fallback;
    if (allowed.includes(value as T)) return value as T;
    this.problem(path, `must be one of ${allowed.join(', ')}`);
    return allowed[0] as T;
  }
}

function isUrl(value: string, protocols: string[]): boolean {
  return !/\s/.test(value) && URL.canParse(value) && protocols.includes(new URL(value).protocol);
}
