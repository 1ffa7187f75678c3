/**
 * Binary precision, recall and F1 with their confusion counts. A ratio whose denominator is zero is
 * null (undefined), not 0: "no positives predicted" and "predicted badly" are different findings.
 */
export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface BinaryScores extends Confusion {
  n: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  accuracy: number | null;
}

export const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

export function confusion(pairs: readonly { gold: boolean; pred: boolean }[]): Confusion {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const { gold, pred } of pairs) {
    if (gold && pred) c.tp++;
    else if (!gold && pred) c.fp++;
    else if (gold && !pred) c.fn++;
    else c.tn++;
  }
  return c;
}

/** F1 as 2TP / (2TP + FP + FN): defined whenever there is any positive, gold or predicted. */
export function fromConfusion(c: Confusion): BinaryScores {
  const n = c.tp + c.fp + c.fn + c.tn;
  return {
    ...c,
    n,
    precision: ratio(c.tp, c.tp + c.fp),
    recall: ratio(c.tp, c.tp + c.fn),
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    accuracy: ratio(c.tp + c.tn, n),
  };
}

export const binaryScores = (pairs: readonly { gold: boolean; pred: boolean }[]) => fromConfusion(confusion(pairs));

/** Mean of the defined values; null when none is defined. */
export function meanOf(values: readonly (number | null | undefined)[]): number | null {
  const defined = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null;
}
