const MODULUS = 2147483647; // 2^31 - 1
const MULTIPLIER = 48271;
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A seeded Park–Miller ("minimal standard") generator: the same seed gives the same sequence, so probabilistic faults
 * and generated ids repeat from run to run. Plain arithmetic: every product stays below 2^53.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    const s = Math.abs(Math.trunc(seed)) % MODULUS;
    this.state = s === 0 ? 1 : s;
  }

  /** A float in [0, 1). */
  public next(): number {
    this.state = (this.state * MULTIPLIER) % MODULUS;
    return (this.state - 1) / (MODULUS - 1);
  }

  /** A lowercase alphanumeric string, e.g. for stream versions (pattern `[a-zA-Z0-9]+`). */
  public alphanumeric(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHANUMERIC[Math.floor(this.next() * ALPHANUMERIC.length)];
    return out;
  }

  /** Lowercase hex digits, e.g. for data endpoint host names. */
  public hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
}
