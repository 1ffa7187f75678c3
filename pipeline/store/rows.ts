import { z } from 'zod';

/**
 * Rows become objects here, through zod, so a database written by another version (or damaged) fails
 * with the table and the column named instead of passing wrong values on. Tables use snake_case
 * columns; the record schemas in schemas/ use camelCase fields.
 */

/** SQLite has no boolean type: flags are stored as 0 or 1. */
export const sqlBool = z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1);

/** A TEXT column holding JSON, checked against the schema of what was written there. */
export function jsonText<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `not JSON: ${e instanceof Error ? e.message : String(e)}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** A SUM over no rows is NULL. */
export const sum = z
  .number()
  .nullable()
  .transform((v) => v ?? 0);

const Count = z.object({ n: z.number().int() });

// Every row of a table has the same few columns: each name is converted once.
const camelNames = new Map<string, string>();
function camel(column: string): string {
  let name = camelNames.get(column);
  if (name === undefined) camelNames.set(column, (name = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())));
  return name;
}

function camelKeys(row: unknown): unknown {
  if (!row || typeof row !== 'object') return row;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[camel(k)] = v;
  return out;
}

/** A row whose snake_case columns are the schema's camelCase fields (columns the schema lacks are dropped). */
export function fromColumns<S extends z.ZodType>(schema: S) {
  return z.preprocess(camelKeys, schema);
}

/** `column_name` of a camelCase field, for writes that name their columns from the record's keys. */
export const columnOf = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Parses query results from `table`; a row that does not fit is an error naming the table and the field. */
export function reader<S extends z.ZodType>(table: string, schema: S) {
  const one = (row: unknown): z.output<S> => {
    const r = schema.safeParse(row);
    if (!r.success) throw new Error(`store: unexpected row in ${table}: ${z.prettifyError(r.error).replace(/\n/g, ' ')}`);
    return r.data;
  };
  return {
    one,
    maybe: (row: unknown): z.output<S> | undefined => (row === undefined ? undefined : one(row)),
    all: (rows: unknown[]): z.output<S>[] => rows.map(one),
  };
}

const counted = reader('a count', Count);
/** The `n` of a `SELECT COUNT(*) n …` row. */
export const count = (row: unknown): number => counted.one(row).n;
