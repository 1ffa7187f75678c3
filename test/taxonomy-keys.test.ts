import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type DimensionKey,
  type OptionKey,
  type TaxonomyLabel,
  TaxonomyLabel as TaxonomyLabelSchema,
  dimension,
  normalizeOptions,
  optionKeys,
} from '../schemas/index.ts';

// The `@ts-expect-error` lines are the test: `npm run typecheck` (tsc) fails if any of them compiles.

const provenance = { backend: 'offline', model: 'm', promptHash: 'p', schemaHash: null, runId: 'r' };

describe('taxonomy keys are literal unions', () => {
  it('a wrong dimension key does not compile', () => {
    // @ts-expect-error 'no-such-dimension' is not a dimension
    const key: DimensionKey = 'no-such-dimension';
    // @ts-expect-error nor may one be looked up
    expect(() => dimension('no-such-dimension')).toThrow(/no-such-dimension/);
    const label: TaxonomyLabel = {
      // @ts-expect-error nor labelled
      dimension: 'no-such-dimension',
      options: ['design'],
      rationale: '',
      confidence: 0.5,
      citations: [],
      provenance,
    };
    expect(TaxonomyLabelSchema.safeParse(label).success).toBe(false);
    expect(key).toBe('no-such-dimension');
  });

  it('a wrong option key does not compile', () => {
    // @ts-expect-error 'not-an-option' is no dimension's option
    const any: OptionKey = 'not-an-option';
    // @ts-expect-error 'crash' is an option of behaviour, not of phase
    const phase: OptionKey<'phase'> = 'crash';
    const label: TaxonomyLabel = {
      dimension: 'phase',
      // @ts-expect-error a label's options are option keys
      options: ['not-an-option'],
      rationale: '',
      confidence: 0.5,
      citations: [],
      provenance,
    };
    expect(TaxonomyLabelSchema.safeParse(label).success).toBe(false);
    expect([any, phase]).toEqual(['not-an-option', 'crash']);
  });

  it('keys follow the table', () => {
    expectTypeOf<OptionKey<'phase'>>().toEqualTypeOf<'design' | 'operation' | 'unknown'>();
    expectTypeOf<OptionKey<'cps'>>().toEqualTypeOf<'true' | 'false' | 'unknown'>();
    expectTypeOf(dimension('phase').key).toEqualTypeOf<'phase'>();
    expectTypeOf(normalizeOptions('phase', ['design'])).toEqualTypeOf<OptionKey[]>();
    expect(optionKeys('phase')).toEqual(['design', 'operation', 'unknown']);
  });
});
