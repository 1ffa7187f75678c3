import { describe, expect, it } from 'vitest';
import { cues } from '../pipeline/backends/offline/evidence.ts';

const matches = (pattern: string, text: string) => cues(1, pattern)[0]!.re.test(text);

describe('cue patterns', () => {
  it('match whole words with their common inflections', () => {
    expect(matches('cars?', 'Thousands of cars stalled')).toBe(true);
    expect(matches('update', 'The phones updated overnight')).toBe(true);
    expect(matches('fix', 'Engineers fixed it')).toBe(true);
    expect(matches('crash', 'The app was crashing')).toBe(true);
  });

  it('do not take another word for an inflection ("card" is no car, "apple" no app)', () => {
    expect(matches('cars?', 'a gift card for $500')).toBe(false);
    expect(matches('ban', 'the band played on')).toBe(false);
    expect(matches('app', 'an apple a day')).toBe(false);
    expect(matches('engine', 'the engineer said')).toBe(false);
  });
});
