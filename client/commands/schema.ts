// `factory schema [--out <dir>] [pipeline|profile|suite]`: the JSON Schemas generated from the zod schemas,
// for editor completion (`# yaml-language-server: $schema=...`). schema/*.schema.json are this command's output.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Argument, type Command } from 'commander';
import { jsonSchemas } from '../../definitions/json-schema';
import type { CliContext } from '../context';

/** Schema names, in the order files are written. */
export const SCHEMA_NAMES = ['pipeline', 'profile', 'suite'] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

/** File name → exact file text for each schema; the committed schema/ files must equal this. */
export function schemaFiles(names: readonly SchemaName[] = SCHEMA_NAMES): Record<string, string> {
  const all = jsonSchemas();
  return Object.fromEntries(names.map((n) => [`${n}.schema.json`, `${JSON.stringify(all[n], null, 2)}\n`]));
}

/** Registers `schema`. */
export function registerSchema(program: Command, ctx: CliContext): void {
  program
    .command('schema')
    .description('print the JSON Schemas for pipeline, profile and suite YAML, or write them with --out')
    .addArgument(new Argument('[name]', 'one schema only').choices(SCHEMA_NAMES))
    .option('--out <dir>', 'write <name>.schema.json files into <dir> instead of printing')
    .action(async (name: SchemaName | undefined, opts: { out?: string }) => {
      const names = name ? [name] : SCHEMA_NAMES;
      if (opts.out) {
        const dir = resolve(ctx.io.cwd, opts.out);
        await mkdir(dir, { recursive: true });
        for (const [file, text] of Object.entries(schemaFiles(names))) {
          await writeFile(join(dir, file), text);
          ctx.io.out(`wrote ${join(opts.out, file)}`);
        }
        return;
      }
      const all = jsonSchemas();
      ctx.io.out(JSON.stringify(name ? all[name] : all, null, 2));
    });
}
