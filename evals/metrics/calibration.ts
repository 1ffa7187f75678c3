/**
 * Calibration of stated confidence against correctness: equal-width reliability bins and the
 * expected calibration error, ECE = Σ_b (n_b / N) · |accuracy_b − mean confidence_b|.
 */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  meanConfidence: number | null;
  accuracy: number | null;
}

export interface Calibration {
  n: number;
  ece: number | null;
  accuracy: number | null;
  meanConfidence: number | null;
  bins: ReliabilityBin[];
}

export function calibration(items: readonly { confidence: number; correct: boolean }[], binCount = 10): Calibration {
  const sums = Array.from({ length: binCount }, () => ({ n: 0, conf: 0, right: 0 }));
  for (const it of items) {
    const c = Math.min(1, Math.max(0, it.confidence));
    // Confidence 1.0 belongs in the top bin, not a bin of its own.
    const b = sums[Math.min(binCount - 1, Math.floor(c * binCount))];
    b.n++;
    b.conf += c;
    b.right += it.correct ? 1 : 0;
  }
  const n = items.length;
  const bins = sums.map((s, i) => ({
    lo: i / binCount,
    hi: (i + 1) / binCount,
    n: s.n,
    meanConfidence: s.n ? s.conf / s.n : null,
    accuracy: s.n ? s.right / s.n : null,
  }));
  const ece = n ? sums.reduce((acc, s) => acc + (s.n ? (s.n / n) * Math.abs(s.right / s.n - s.conf / s.n) : 0), 0) : null;
  return {
    n,
    ece,
    bins,
    accuracy: n ? items.filter((i) => i.correct).length / n : null,
    meanConfidence: n ? items.reduce((a, i) => a + i.confidence, 0) / n : null,
  };
}
