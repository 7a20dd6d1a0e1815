/**
 * What the attribution store (attribution-store.ts) keeps per experiment and variant, summed
 * over the hours a report covers: enough to read out rates with intervals (experiment-report.ts).
 *
 * The unit of analysis is a user-hour (a user's lists served within one clock hour, and every
 * interaction attributed to them): users are what the experiment randomises, and one user's lists
 * in an hour (a list is rebuilt after every interaction) are far from independent. Per unit u
 * with l_u lists, c_u clicks and p_u positive interactions the store keeps the sums below, so
 * the ratio estimators clicks/lists and positives/lists get delta-method intervals that account
 * for the clustering.
 */
export interface MomentSums {
  /** Units (user-hours) with at least one list served. */
  units: number;
  /** Σ l_u: lists served (impressions: a list version the API served, counted once). */
  lists: number;
  /** Σ c_u: interactions attributed to a served list. */
  clicks: number;
  /** Σ p_u: attributed interactions that were positive (rating ≥ the positive threshold, or unrated). */
  positives: number;
  /** Σ l_u², Σ c_u², Σ p_u², Σ l_u·c_u, Σ l_u·p_u. */
  listsSq: number;
  clicksSq: number;
  positivesSq: number;
  listsClicks: number;
  listsPositives: number;
}

/** The reason kinds a list item can have (@coldstart/ranking's Reason['kind']). */
export const REASON_KINDS = ['topic', 'seed', 'also-liked', 'popular-in', 'popular', 'new-in', 'exploring'] as const;
export type ReasonKind = (typeof REASON_KINDS)[number];

/** Per reason kind: slots of served lists that had it, and the interactions with those slots. */
export interface KindCounts {
  slots: number;
  clicks: number;
  positives: number;
}

export interface VariantCounts extends MomentSums {
  variant: string;
  /** Distinct users served a list (HyperLogLog: within about 1 % of the exact count). */
  users: number;
  kinds: Partial<Record<ReasonKind, KindCounts>>;
}

export interface ExperimentCounts {
  experiment: string;
  /** Start of the first hour counted (ISO 8601). */
  since: string;
  variants: VariantCounts[];
}
