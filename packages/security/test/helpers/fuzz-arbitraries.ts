// fast-check arbitraries for the HTTP fuzzer: JSON bodies shaped by an operation's zod schema (so most
// requests get past "not an object" into field validation and handlers), with a share of wrong types,
// hostile strings and values known to the live server (real names, ARNs, tokens) mixed in at every node.
import fc from 'fast-check';
import type { z } from 'zod';

/** Strings that have broken parsers, routers and stores elsewhere. */
export const HOSTILE = [
  '', ' ', '\u0000', '%00', '%', '%zz', '../../../../etc/passwd', '..%2f..%2f', '__proto__', 'constructor', 'prototype', 'toString',
  "' OR '1'='1", '"; DROP TABLE records; --', '${7*7}', '{{7*7}}', '<script>alert(1)</script>', 'javascript:alert(1)', '\r\nX-Injected: 1',
  '\ud800', '\uffff', '😀'.repeat(64), 'a'.repeat(300), 'a'.repeat(5000), 'NaN', 'Infinity', '-1', '1e309', '0x10', 'null', 'true', '[]', '{}',
  'urn:ietf:params:oauth:request_uri:', `urn:ietf:params:oauth:request_uri:${'A'.repeat(43)}`, 'mwat1...', 'mwat1.x.AAAAAAAAAAAAAAAA.AAAA',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'http://169.254.169.254/latest/meta-data/', 'https://127.0.0.1:1/.well-known/openid-configuration',
  'arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/x', 'arn:aws:bedrock-agentcore:us-west-2:123456789012:workload-identity-directory/default/workload-identity/x',
];

export interface Pools {
  /** Values the live server knows: its workload/provider names, ARNs, valid WATs and tokens, session URIs. */
  known: string[];
}

export function stringArb(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pools.known) },
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/) },
  );
}

/** Any JSON value, small. */
export function jsonArb(pools: Pools): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(stringArb(pools), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null));
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(stringArb(pools), leaf, { maxKeys: 4 }) },
  );
}

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } })?._zod?.def;

/**
 * A value shaped like `schema` (zod 4, read through its public `_zod.def`), except that at every node one
 * time in five it is any JSON value instead: wrong types, nulls, hostile strings.
 */
export function shapedArb(schema: unknown, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  const shaped = shapedOnly(schema, pools, depth);
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: jsonArb(pools) });
}

function shapedOnly(schema: unknown, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  if (!def || depth > 6) return jsonArb(pools);
  const next = (s: unknown) => shapedArb(s, pools, depth + 1);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, unknown>;
      const keys = Object.keys(shape);
      const record = fc.record(Object.fromEntries(keys.map((k) => [k, next(shape[k])])), { requiredKeys: [] });
      // Sometimes an unknown member too.
      return fc.tuple(record, fc.option(fc.tuple(stringArb(pools), jsonArb(pools)), { freq: 5 })).map(([r, extra]) => (extra ? { ...r, [extra[0]]: extra[1] } : r));
    }
    case 'array':
      return fc.array(next(def.element), { maxLength: 4 });
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
    case 'nonoptional':
      return shapedOnly(def.innerType, pools, depth);
    case 'pipe':
      return shapedOnly(def.in, pools, depth);
    case 'lazy':
      return shapedOnly((def.getter as () => unknown)(), pools, depth);
    case 'union':
      return fc.oneof(...(def.options as unknown[]).map((o) => shapedOnly(o, pools, depth)));
    case 'enum':
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...Object.values(def.entries as Record<string, string>)) }, { weight: 1, arbitrary: stringArb(pools) });
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'record':
      return fc.dictionary(fc.oneof(stringArb(pools), fc.stringMatching(/^[a-zA-Z0-9_.-]{1,20}$/)), next(def.valueType), { maxKeys: 4 });
    case 'string':
      return stringArb(pools);
    case 'number':
    case 'int':
      return fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.integer(), fc.double());
    case 'boolean':
      return fc.boolean();
    default:
      return jsonArb(pools);
  }
}

/** Raw request bodies that are not JSON objects, or barely. */
export function garbageBodyArb(): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
    fc.constantFrom('', '{', '}', '[]', 'null', '"x"', '1', '{"a":', '{"a":1,"a":2}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}',
      '['.repeat(5000) + ']'.repeat(5000), '{"a":'.repeat(2000) + '1' + '}'.repeat(2000), '\ufeff{}', '{"x":"\\ud800"}').map((s) => Buffer.from(s)),
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
  );
}

/** Header values a client can send (printable ASCII, no CR/LF). */
export const headerValueArb = fc.oneof(
  fc.constantFrom('', '0', '-1', '1', '3', '1e309', 'NaN', 'abc', 'Bearer', 'Bearer ', 'Bearer x.y.z', 'AWS4-HMAC-SHA256', 'application/json', 'text/plain', 'x'.repeat(2000)),
  fc.stringMatching(/^[\x21-\x7e]{0,60}$/),
);

/** Query strings: pairs of fuzzed keys and values, sometimes known parameter names. */
export function queryArb(pools: Pools, names: string[]): fc.Arbitrary<Array<[string, string]>> {
  const name = names.length > 0 ? fc.oneof(fc.constantFrom(...names), stringArb(pools)) : stringArb(pools);
  return fc.array(fc.tuple(name, stringArb(pools)), { maxLength: 4 });
}
