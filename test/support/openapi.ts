/**
 * Checks real replies against docs/openapi.yaml, so the document cannot drift from the
 * handlers without a test failing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { idKinds } from '../../common/workflow-safe/ids';

const spec = parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8'),
);
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('uuid', new RegExp(idKinds.orderId.source, 'i'));
// The saga's timestamps: Date#toISOString() in the workflow, always UTC.
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
ajv.addSchema({ $id: 'openapi', components: spec.components });

type Schema = Record<string, unknown>;

function resolve(node: Schema): Schema {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const path = ref.replace(/^#\//, '').split('/');
  return resolve(path.reduce<Schema>((n, key) => n[key] as Schema, spec));
}

/** Rewrites local `#/components/...` refs so Ajv finds them in the registered spec. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema && typeof schema === 'object') {
    return Object.fromEntries(
      Object.entries(schema).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' ? `openapi${v}` : rebase(v),
      ]),
    );
  }
  return schema;
}

/** Returns the validation errors of `body` against the documented reply, or [] when it matches. */
export function openApiErrors(
  method: string,
  path: string,
  status: number,
  body: unknown,
): string[] {
  const operation = spec.paths?.[path]?.[method.toLowerCase()];
  if (!operation) return [`${method} ${path} is not documented`];
  const response = operation.responses?.[String(status)];
  if (!response) return [`${method} ${path} does not document status ${status}`];
  const content = resolve(response as Schema).content as
    | Record<string, { schema?: Schema }>
    | undefined;
  const schema = content?.['application/json']?.schema;
  if (!schema) return [`${method} ${path} ${status} has no JSON schema`];
  const validate = ajv.compile(rebase(schema) as Schema);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Every documented operation as a route key, e.g. `GET /health`. */
export function documentedOperations(): string[] {
  return Object.entries(spec.paths ?? {}).flatMap(([path, operations]) =>
    Object.keys(operations as object).map((method) => `${method.toUpperCase()} ${path}`),
  );
}
