/**
 * fast-check arbitraries from the JSON Schemas of the OpenAPI document (draft 2020-12), valid and deliberately
 * invalid, as Schemathesis derives its cases. Hand-written: the kept libraries that do this (zod-fast-check,
 * json-schema-fast-check) target zod 3 / fast-check 1-3, not the zod 4 and fast-check 4 of this project, and
 * only the subset of JSON Schema that zod emits is needed here.
 */
import fc from 'fast-check';

type Json = Record<string, any>;

export class SchemaArbitraries {
  constructor(private readonly document: Json) {}

  private resolve(s: Json): Json {
    let cur = s;
    for (let i = 0; cur?.$ref && i < 20; i++) {
      const path = String(cur.$ref).replace(/^#\//, '').split('/');
      cur = path.reduce((o: Json, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], this.document);
    }
    return cur ?? {};
  }

  /** Values the schema accepts (mostly: patterns and cross-field rules are not generated). */
  valid(schema: Json | undefined, depth = 0): fc.Arbitrary<unknown> {
    const s = this.resolve(schema ?? {});
    if (depth > 6) return fc.constant(null);
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    if (s.anyOf || s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf).map((x: Json) => this.valid(x, depth + 1)));
    if (s.allOf) return this.valid(Object.assign({}, ...s.allOf.map((x: Json) => this.resolve(x))), depth + 1);
    const type = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    if (type.length > 1) return fc.oneof(...type.map((t: string) => this.valid({ ...s, type: t }, depth + 1)));
    switch (type[0]) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return fc.integer({ min: Math.max(s.minimum ?? -1000, -1e9), max: Math.min(s.maximum ?? 1000, 1e9) });
      case 'number':
        return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
      case 'string':
        return this.string(s);
      case 'array':
        return fc.array(this.valid(s.items, depth + 1), {
          minLength: s.minItems ?? 0,
          maxLength: Math.min(s.maxItems ?? 3, Math.max(3, s.minItems ?? 0)),
        });
      case 'object': {
        const props: Record<string, Json> = s.properties ?? {};
        const required = new Set<string>(s.required ?? []);
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) model[k] = this.valid(v, depth + 1);
        return fc.record(model, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  private string(s: Json): fc.Arbitrary<string> {
    switch (s.format) {
      case 'uuid':
        return fc.uuid();
      case 'date-time':
        return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      case 'date':
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      case 'uri':
        return fc.webUrl();
      default: {
        const min = s.minLength ?? 0;
        const max = Math.min(s.maxLength ?? 40, Math.max(min, 40));
        return fc.string({ unit: fc.constantFrom(...'abc XYZ019_-中文公文，。'.split('')), minLength: min, maxLength: max });
      }
    }
  }

  /** Values the schema refuses (wrong type, out-of-range, a required member missing, an unknown member), or anything at all. */
  invalid(schema: Json | undefined): fc.Arbitrary<unknown> {
    const s = this.resolve(schema ?? {});
    const wrongType = fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.boolean(),
      fc.string({ maxLength: 10 }),
      fc.constant([]),
      fc.constant({}),
      fc.double(),
    );
    const arbs: fc.Arbitrary<unknown>[] = [wrongType];
    if (s.type === 'object' && s.properties) {
      const base = this.valid(s) as fc.Arbitrary<Json>;
      const keys = Object.keys(s.properties);
      if (s.required?.length)
        arbs.push(
          fc.tuple(base, fc.constantFrom(...(s.required as string[]))).map(([o, k]) => {
            const c = { ...o };
            delete c[k];
            return c;
          }),
        );
      arbs.push(base.map((o) => ({ ...o, unexpectedMember: 1 })));
      if (keys.length) arbs.push(fc.tuple(base, fc.constantFrom(...keys), wrongType).map(([o, k, v]) => ({ ...o, [k]: v })));
    }
    if (s.type === 'string' && (s.format || s.enum || s.pattern || s.minLength))
      arbs.push(fc.constantFrom('', 'AAA', 'not-a-uuid', '2026-13-45', ' '));
    if (s.type === 'integer' || s.type === 'number') arbs.push(fc.constantFrom(-1, 0, 1.5, 2 ** 53, -(2 ** 31), 1e300));
    return fc.oneof(...arbs);
  }
}
