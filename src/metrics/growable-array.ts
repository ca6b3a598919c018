/** A Uint32Array that grows (doubling) on write; entries never written read 0. */
export class GrowableUint32Array {
  private values: Uint32Array;

  constructor(initialLength = 64) {
    this.values = new Uint32Array(initialLength);
  }

  get(index: number): number {
    return index < this.values.length ? this.values[index]! : 0;
  }

  set(index: number, value: number): void {
    if (index >= this.values.length) {
      let length = this.values.length;
      while (length <= index) length *= 2;
      const grown = new Uint32Array(length);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[index] = value;
  }

  get length(): number {
    return this.values.length;
  }

  get byteLength(): number {
    return this.values.byteLength;
  }
}
