// Lock-free hand-out of hash batches shared by the calling thread and the hashing workers:
// workers claim from the front (largest first), the calling thread from the back (smallest first).
// Every batch is claimed exactly once, through one flag per batch in shared memory.

const NEXT = 0; // next batch index for front claimers
const ABORT = 1; // set when any thread failed: everyone stops claiming
const FLAGS = 2; // one claim flag per batch from here

export class BatchClaims {
  private readonly ctrl: Int32Array;
  private back: number;

  /** `shared` comes from `BatchClaims.allocate(count)` (the same memory on every thread). */
  constructor(
    readonly shared: SharedArrayBuffer,
    private readonly count: number,
  ) {
    this.ctrl = new Int32Array(shared);
    this.back = count - 1;
  }

  static allocate(count: number): SharedArrayBuffer {
    return new SharedArrayBuffer((FLAGS + count) * Int32Array.BYTES_PER_ELEMENT);
  }

  /** The next batch from the front, or -1 when the front met the back (or on abort). */
  front(): number {
    if (Atomics.load(this.ctrl, ABORT) !== 0) return -1;
    const b = Atomics.add(this.ctrl, NEXT, 1);
    if (b >= this.count) return -1;
    return Atomics.compareExchange(this.ctrl, FLAGS + b, 0, 1) === 0 ? b : -1;
  }

  /** The next batch from the back; only one thread may take from the back. */
  fromBack(): number {
    if (this.back < 0 || Atomics.load(this.ctrl, ABORT) !== 0) return -1;
    const b = this.back--;
    if (Atomics.compareExchange(this.ctrl, FLAGS + b, 0, 1) === 0) return b;
    this.back = -1; // the front got here first: everything before is the front's
    return -1;
  }

  abort(): void {
    Atomics.store(this.ctrl, ABORT, 1);
  }
}
