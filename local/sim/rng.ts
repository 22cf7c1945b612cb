/**
 * Seeded randomness for the simulated cloud. Durations are drawn per resource (seed + kind + key) rather than from
 * one shared stream, so the same cluster takes the same time in every run with that seed — whatever order the
 * requests arrive in — and the benchmark's sequential reference draws the very same durations.
 */
import { TYPICAL, type WorkKind } from "../../functions/lib/timing.js";

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string: a stable 32-bit seed for a key. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The simulator's randomness: keyed duration draws plus one sequential stream for identifiers. */
export class SimRandom {
  private readonly stream: () => number;

  constructor(
    readonly seed: number,
    /** Position of the sequential stream, so a persisted account continues where it stopped. */
    private drawn = 0,
  ) {
    this.stream = mulberry32(hash32(`stream:${seed}`));
    for (let i = 0; i < drawn; i++) this.stream();
  }

  /** How many values the sequential stream has produced (persisted with the account). */
  get position(): number {
    return this.drawn;
  }

  /** Next value of the sequential stream, in [0, 1). */
  next(): number {
    this.drawn++;
    return this.stream();
  }

  /** A value in [0, 1) that depends only on the seed and the key. */
  keyed(key: string): number {
    return mulberry32(hash32(`${this.seed}:${key}`))();
  }

  /** Seconds for one piece of work, uniform within the timing model's typical range. */
  duration(kind: WorkKind, key: string): number {
    const { min, max } = TYPICAL[kind];
    return round1(min + (max - min) * this.keyed(`${kind}:${key}`));
  }

  /**
   * Seconds for work the timing model may not list yet (deletions): its `TYPICAL` range when present, else
   * `fallback` (the simulator's own estimate).
   */
  durationOr(kind: string, fallback: { min: number; max: number }, key: string): number {
    const { min, max } = (TYPICAL as Record<string, { min: number; max: number }>)[kind] ?? fallback;
    return round1(min + (max - min) * this.keyed(`${kind}:${key}`));
  }

  /** Lowercase hex identifier of `length` characters from the sequential stream. */
  hex(length: number): string {
    let out = "";
    while (out.length < length)
      out += Math.floor(this.next() * 0x100000000)
        .toString(16)
        .padStart(8, "0");
    return out.slice(0, length);
  }

  /** A UUID-shaped identifier from the sequential stream (version 4 layout). */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
