// JSON Schemas of what users write (the INPUT side of the zod schemas), for editor completion via
// `# yaml-language-server: $schema=...`. Generated, never hand-edited.
import { z } from 'zod';
import { pipelineSchema } from './schemas/pipeline';
import { profileSchema, sandboxSchema } from './schemas/profile';
import { suiteSchema } from './schemas/suite';

/** Base of the `$id`s; the files are published as `schema/<name>.schema.json`. */
export const SCHEMA_ID_BASE = 'https://factory.dev/schema/';

type JsonObject = Record<string, unknown>;

function generate(schema: z.ZodType, name: string, requireKind: boolean): JsonObject {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any', override: sandboxWord }) as JsonObject;
  // YAML requires `kind` even where the shared schema leaves it optional for DOT.
  const required = Array.isArray(json.required) ? (json.required as string[]) : [];
  if (requireKind && !required.includes('kind')) json.required = ['kind', ...required];
  return { $id: `${SCHEMA_ID_BASE}${name}.schema.json`, ...json };
}

/** `sandbox: none` (a word, read as the mode before parsing) is valid input beside the object form. */
function sandboxWord(ctx: { zodSchema: unknown; jsonSchema: JsonObject }): void {
  if (ctx.zodSchema !== sandboxSchema) return;
  const { description, default: dflt, ...object } = ctx.jsonSchema;
  for (const k of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[k];
  const mode = (object.properties as Record<string, JsonObject>).mode;
  Object.assign(ctx.jsonSchema, { description, default: dflt, anyOf: [{ type: 'string', enum: mode?.enum }, object] });
}

/** The three document schemas, freshly generated (deterministic: same zod schemas → same JSON). */
export function jsonSchemas(): { pipeline: object; profile: object; suite: object } {
  return {
    pipeline: generate(pipelineSchema, 'pipeline', true),
    // the profile's refinement (definitions/schemas/profile.ts) needs `provider` or `providers`: say so, as lint does
    profile: { ...generate(profileSchema, 'profile', true), anyOf: [{ required: ['provider'] }, { required: ['providers'] }] },
    suite: generate(suiteSchema, 'suite', true),
  };
}
