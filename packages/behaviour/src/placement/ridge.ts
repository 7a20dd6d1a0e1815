/**
 * Ridge regression in closed form: W = (XᵀX + λI)⁻¹ XᵀY over centred rows, solved by Cholesky.
 * Deterministic (no sampling, fixed summation order), so the same rows always give the same
 * weights. Cost: O(n·d²) for the Gram matrix, O(d³) for the solve, O(nnz(Y)·d) for XᵀY with
 * a sparse Y, and d·(d + A) float64s of memory besides the rows.
 */
export interface RidgeProblem {
  /** Feature dimension d. */
  dimension: number;
  /** Output dimension A. */
  outputs: number;
  /** Training rows: features (length d) and the non-zero targets as [output index, value]. */
  rows: readonly { x: Float32Array; y: readonly (readonly [number, number])[] }[];
  /** The penalty as a share of the mean diagonal of the centred Gram matrix (scale-free). */
  ridge: number;
}

export interface RidgeFit {
  /** d × A, row-major: prediction = (x − meanX) · W + meanY. */
  weights: Float64Array;
  meanX: Float64Array;
  meanY: Float64Array;
}

export function fitRidge(problem: RidgeProblem): RidgeFit {
  const { dimension: d, outputs: a, rows } = problem;
  const n = rows.length;
  if (n === 0) throw new RangeError('ridge regression needs at least one row');
  const meanX = new Float64Array(d);
  const meanY = new Float64Array(a);
  for (const row of rows) {
    for (let i = 0; i < d; i++) meanX[i] = (meanX[i] as number) + (row.x[i] as number) / n;
    for (const [j, value] of row.y) meanY[j] = (meanY[j] as number) + value / n;
  }
  // Gram of the centred rows (upper triangle, mirrored after).
  const gram = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (const row of rows) {
    for (let i = 0; i < d; i++) centred[i] = (row.x[i] as number) - (meanX[i] as number);
    for (let i = 0; i < d; i++) {
      const ci = centred[i] as number;
      if (ci === 0) continue;
      const base = i * d;
      for (let j = i; j < d; j++) gram[base + j] = (gram[base + j] as number) + ci * (centred[j] as number);
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) gram[i * d + j] = gram[j * d + i] as number;
  let trace = 0;
  for (let i = 0; i < d; i++) trace += gram[i * d + i] as number;
  const lambda = Math.max(problem.ridge * (trace / d), 1e-9);
  for (let i = 0; i < d; i++) gram[i * d + i] = (gram[i * d + i] as number) + lambda;
  // XᵀY over centred X and Y: Σ_rows x_c · (y − meanY)ᵀ. The −meanY part is Σ x_c · meanYᵀ = 0
  // (centred columns sum to zero), so only Y's non-zeros are visited.
  const xty = new Float64Array(d * a);
  for (const row of rows) {
    for (let i = 0; i < d; i++) centred[i] = (row.x[i] as number) - (meanX[i] as number);
    for (const [j, value] of row.y) for (let i = 0; i < d; i++) xty[i * a + j] = (xty[i * a + j] as number) + (centred[i] as number) * value;
  }
  const lower = cholesky(gram, d);
  return { weights: solveCholesky(lower, d, xty, a), meanX, meanY };
}

/** L with L·Lᵀ = M (M symmetric positive definite, d × d row-major). */
function cholesky(m: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = m[i * d + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * d + k] as number) * (l[j * d + k] as number);
      if (i === j) {
        if (sum <= 0) throw new RangeError('ridge Gram matrix is not positive definite');
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / (l[j * d + j] as number);
      }
    }
  }
  return l;
}

/** X with L·Lᵀ·X = B, B being d × a row-major. */
function solveCholesky(l: Float64Array, d: number, b: Float64Array, a: number): Float64Array {
  const z = new Float64Array(b);
  for (let i = 0; i < d; i++) {
    const li = l[i * d + i] as number;
    for (let k = 0; k < i; k++) {
      const lik = l[i * d + k] as number;
      if (lik === 0) continue;
      for (let c = 0; c < a; c++) z[i * a + c] = (z[i * a + c] as number) - lik * (z[k * a + c] as number);
    }
    for (let c = 0; c < a; c++) z[i * a + c] = (z[i * a + c] as number) / li;
  }
  for (let i = d - 1; i >= 0; i--) {
    const li = l[i * d + i] as number;
    for (let k = i + 1; k < d; k++) {
      const lki = l[k * d + i] as number;
      if (lki === 0) continue;
      for (let c = 0; c < a; c++) z[i * a + c] = (z[i * a + c] as number) - lki * (z[k * a + c] as number);
    }
    for (let c = 0; c < a; c++) z[i * a + c] = (z[i * a + c] as number) / li;
  }
  return z;
}

/** (x − meanX) · W + meanY. */
export function predictRidge(fit: RidgeFit, x: Float32Array): Float32Array {
  const d = fit.meanX.length;
  const a = fit.meanY.length;
  const out = new Float64Array(fit.meanY);
  for (let i = 0; i < d; i++) {
    const ci = (x[i] as number) - (fit.meanX[i] as number);
    if (ci === 0) continue;
    const base = i * a;
    for (let c = 0; c < a; c++) out[c] = (out[c] as number) + ci * (fit.weights[base + c] as number);
  }
  return Float32Array.from(out);
}
