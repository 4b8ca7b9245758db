import { INLINE_WAIT } from './budgets';
import { Clock } from './clock';

/** Where one reconcile step left a resource. */
export type Progress =
  | { readonly done: true; readonly data: { readonly [attribute: string]: string } }
  | { readonly done: false; readonly waitingFor: string };

export interface WaitPolicy {
  readonly initialDelayMs: number;
  readonly factor: number;
  readonly maxDelayMs: number;
  readonly budgetMs: number;
}

/**
 * Runs `step` until it reports done, sleeping with capped exponential backoff between runs, and gives up (returning the
 * last progress) once the next sleep would end past the budget.
 */
export async function pollUntilDone(clock: Clock, step: () => Promise<Progress>, policy: WaitPolicy = INLINE_WAIT): Promise<Progress> {
  const deadline = clock.now() + policy.budgetMs;
  let delay = policy.initialDelayMs;
  for (;;) {
    const progress = await step();
    if (progress.done || clock.now() + delay > deadline) return progress;
    await clock.sleep(delay);
    delay = Math.min(policy.maxDelayMs, delay * policy.factor);
  }
}

export function waiting(waitingFor: string): Progress {
  return { done: false, waitingFor };
}

export function done(data: { readonly [attribute: string]: string } = {}): Progress {
  return { done: true, data };
}
