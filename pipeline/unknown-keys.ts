import { z } from 'zod';

/**
 * Keys of `value` that `schema` has no place for, as dotted paths ("openai.rpmm"). zod strips them
 * silently, which is how a misspelt setting goes unnoticed; the caller warns about them instead.
 */
export function unknownKeys(schema: z.ZodType, value: unknown, path: string[] = []): string[] {
  if (
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable
  ) {
    return unknownKeys(schema.def.innerType as z.ZodType, value, path);
  }
  if (!value || typeof value !== 'object') return [];
  if (schema instanceof z.ZodArray && Array.isArray(value)) {
    return value.flatMap((v, i) => unknownKeys(schema.element as z.ZodType, v, [...path, String(i)]));
  }
  if (schema instanceof z.ZodRecord && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => unknownKeys(schema.valueType as z.ZodType, v, [...path, k]));
  }
  if (schema instanceof z.ZodObject && !Array.isArray(value)) {
    const shape = schema.shape as Record<string, z.ZodType>;
    return Object.entries(value).flatMap(([k, v]) => (k in shape ? unknownKeys(shape[k], v, [...path, k]) : [[...path, k].join('.')]));
  }
  return [];
}
