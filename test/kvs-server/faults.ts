import { SeededRandom } from './random';

export type Fault =
  | { kind: 'error'; errorType: string; status?: number; message?: string } // any documented error, e.g. 'ResourceInUseException'
  | { kind: 'throttle' } // ClientLimitExceededException, HTTP 400
  | { kind: 'http'; status: 500 | 503 } // a bare status with an empty body, as a load balancer would answer
  | { kind: 'drop' } // destroy the socket without a response
  | { kind: 'delay'; ms: number }; // slow response, then handle normally

/** When a fault applies: the next `times` calls (default 1), each with `probability` (default 1) from the seeded PRNG. */
export interface FaultWhen {
  times?: number;
  probability?: number;
}

/** Matches every action. */
export const ANY_ACTION = '*';

interface FaultRule {
  readonly action: string;
  readonly fault: Fault;
  readonly probability: number;
  /** Faulted calls still to come; Infinity for probabilistic rules without `times`. */
  remaining: number;
}

/**
 * Per-action fault rules, consulted in the order they were added. A deterministic rule (no probability) applies to the
 * next `times` calls; a probabilistic rule applies to each call with that probability, `times` times at most.
 */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private readonly random: SeededRandom;

  constructor(seed: number) {
    this.random = new SeededRandom(seed);
  }

  public add(action: string, fault: Fault, when: FaultWhen = {}) {
    const probability = when.probability ?? 1;
    if (!(probability > 0 && probability <= 1)) throw new Error(`Fault probability must be in (0, 1]; received ${when.probability}`);
    const times = when.times ?? (when.probability === undefined ? 1 : Infinity);
    if (!(times >= 1)) throw new Error(`Fault times must be at least 1; received ${when.times}`);
    if (fault.kind === 'delay' && !(fault.ms >= 0)) throw new Error(`Delay fault ms must be non-negative; received ${fault.ms}`);
    this.rules.push({ action, fault, probability, remaining: times });
  }

  public clear() {
    this.rules = [];
  }

  /** The fault for this call, if any; consumes one use of the rule that fires. */
  public take(action: string): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.action !== action && rule.action !== ANY_ACTION) continue;
      if (rule.probability < 1 && this.random.next() >= rule.probability) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      return rule.fault;
    }
    return undefined;
  }
}
