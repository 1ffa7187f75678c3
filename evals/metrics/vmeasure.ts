/**
 * Homogeneity, completeness and V-measure (Rosenberg & Hirschberg 2007), as scikit-learn computes
 * them: conditional entropies from the gold × predicted contingency table, natural logarithms, and
 * a score of 1 when the entropy it is normalised by is zero.
 */
export interface VScores {
  n: number;
  goldClusters: number;
  predictedClusters: number;
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

function entropy(counts: Iterable<number>, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

export function vMeasure(pairs: readonly { gold: string; pred: string }[], beta = 1): VScores {
  const n = pairs.length;
  const gold = new Map<string, number>(),
    pred = new Map<string, number>();
  const joint = new Map<string, Map<string, number>>();
  for (const p of pairs) {
    gold.set(p.gold, (gold.get(p.gold) ?? 0) + 1);
    pred.set(p.pred, (pred.get(p.pred) ?? 0) + 1);
    let row = joint.get(p.gold);
    if (!row) {
      row = new Map();
      joint.set(p.gold, row);
    }
    row.set(p.pred, (row.get(p.pred) ?? 0) + 1);
  }
  if (n === 0) return { n, goldClusters: 0, predictedClusters: 0, homogeneity: 1, completeness: 1, vMeasure: 1 };
  const hGold = entropy(gold.values(), n),
    hPred = entropy(pred.values(), n);
  // H(gold | pred) and H(pred | gold) from the contingency table.
  let hGoldGivenPred = 0,
    hPredGivenGold = 0;
  for (const [g, row] of joint) {
    for (const [k, nab] of row) {
      hGoldGivenPred -= (nab / n) * Math.log(nab / pred.get(k)!);
      hPredGivenGold -= (nab / n) * Math.log(nab / gold.get(g)!);
    }
  }
  const homogeneity = hGold === 0 ? 1 : 1 - hGoldGivenPred / hGold;
  const completeness = hPred === 0 ? 1 : 1 - hPredGivenGold / hPred;
  const vm = homogeneity + completeness === 0 ? 0 : ((1 + beta) * homogeneity * completeness) / (beta * homogeneity + completeness);
  return { n, goldClusters: gold.size, predictedClusters: pred.size, homogeneity, completeness, vMeasure: vm };
}
