import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset, makeBuiltin, saveDataset } from "../../src/data/index.js";
import { encodeNpy, encodeNpz, parseNpy, parseNpz, readNpy, readNpz } from "../../src/io/index.js";
import { crc32 } from "../../src/io/zip.js";
import { encodeNpyRaw } from "../../src/io/npy.js";
import { inputError } from "./helpers.js";

const FIX = join(import.meta.dirname, "../fixtures/numpy");
const dir = mkdtempSync(join(tmpdir(), "splitscape-numpy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A[i, j] = (3i − 2j)/8 for i < 5, j < 3 (make_numpy_fixtures.py), row-major. */
const A = Array.from({ length: 15 }, (_, t) => (3 * Math.floor(t / 3) - 2 * (t % 3)) / 8);

describe(".npy reader (files written by NumPy)", () => {
  it.each([
    ["c_f8.npy", "<f8"], ["fortran_f8.npy", "<f8"], ["c_f4.npy", "<f4"], ["fortran_f4.npy", "<f4"], ["c_f2.npy", "<f2"],
    ["big_endian_f8.npy", ">f8"], ["fortran_big_endian_f4.npy", ">f4"],
  ])("%s (%s) gives A in C order, widened exactly", (file, dtype) => {
    const t = readNpy(join(FIX, file));
    expect(t.dtype).toBe(dtype);
    expect(t.shape).toEqual([5, 3]);
    expect(Array.from(t.data)).toEqual(A);
    // The in-memory parser agrees with the streaming reader.
    expect(Array.from(parseNpy(readFileSync(join(FIX, file)), file).data)).toEqual(A);
  });

  it("reads integers, bool, 1-D arrays and a 3-D Fortran array", () => {
    expect(Array.from(readNpy(join(FIX, "int64.npy")).data)).toEqual(A.map((x) => 8 * x));
    expect(Array.from(readNpy(join(FIX, "int8.npy")).data)).toEqual(A.map((x) => 8 * x));
    expect(Array.from(readNpy(join(FIX, "uint16.npy")).data)).toEqual(A.map((x) => Math.abs(8 * x)));
    expect(Array.from(readNpy(join(FIX, "bool.npy")).data)).toEqual(A.map((x) => (x > 0 ? 1 : 0)));
    const v = readNpy(join(FIX, "vector.npy"));
    expect(v.shape).toEqual([5]);
    expect(Array.from(v.data)).toEqual([0, 3, 6, 9, 12].map((x) => x / 8));
    const B = readNpy(join(FIX, "fortran_3d.npy"));
    expect(B.shape).toEqual([2, 3, 4]);
    expect(Array.from(B.data)).toEqual(Array.from({ length: 24 }, (_, t) => 100 * Math.floor(t / 12) + 10 * Math.floor((t % 12) / 4) + (t % 4)));
  });

  it("streams arrays larger than one chunk in both orders and several dtypes", () => {
    const rows = 1000;
    const cols = 530; // 530k elements: more than one chunk (2¹⁹ elements) for every dtype below
    const value = (i: number, j: number): number => (i * 7 - j * 3) % 251;
    for (const [descr, ctor] of [["<f8", Float64Array], ["<f4", Float32Array], ["<i2", Int16Array]] as const) {
      for (const fortran of [false, true]) {
        const raw = new ctor(rows * cols);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) raw[fortran ? j * rows + i : i * cols + j] = value(i, j);
        const path = join(dir, `big-${descr.slice(1)}-${fortran}.npy`);
        writeFileSync(path, encodeNpyRaw(descr, fortran, [rows, cols], new Uint8Array(raw.buffer)));
        const t = readNpy(path);
        let bad = 0;
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (t.data[i * cols + j] !== value(i, j)) bad++;
        expect(bad, `${descr} fortran=${fortran}`).toBe(0);
      }
    }
  });

  it("round-trips encodeNpy (data aligned to 64 bytes, as NumPy writes)", () => {
    const data = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i) * 1e-300);
    const bytes = encodeNpy([4, 3], data);
    expect((bytes.length - 96) % 64).toBe(0);
    const back = parseNpy(bytes, "m");
    expect(back.shape).toEqual([4, 3]);
    expect(Buffer.from(back.data.buffer).equals(Buffer.from(data.buffer))).toBe(true);
    expect(readFileSync(join(FIX, "c_f8.npy")).subarray(0, 10)).toEqual(Buffer.from(encodeNpy([5, 3], Float64Array.from(A)).subarray(0, 10)));
  });

  it.each([
    ["complex.npy", /unsupported dtype "<c16" \(complex and object arrays/],
    ["structured.npy", /structured \(record\) arrays are not supported/],
  ])("refuses %s", (file, message) => {
    expect(inputError(() => readNpy(join(FIX, file))).message).toMatch(message);
  });

  it("refuses truncated files, trailing bytes, bad magic and oversized shapes before allocating", () => {
    const good = readFileSync(join(FIX, "c_f8.npy"));
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, good.length - 8), /truncated file: shape \[5, 3\] of <f8 needs 120 bytes of data, the file has 112/],
      [Buffer.concat([good, Buffer.alloc(4)]), /trailing bytes after the array/],
      [good.subarray(0, 40), /truncated \.npy file: the header needs 128 bytes, the file has 40/],
      [Buffer.from("PK\x03\x04 not an npy file"), /not a NumPy \.npy array/],
      [encodeNpyRaw("<f8", false, [1e6, 1e6], new Uint8Array(0)), /array of shape \[1000000, 1000000\] has more than 268435456 elements/],
      [encodeNpyRaw("<U3", false, [2], new Uint8Array(24)), /unsupported dtype "<U3" \(string and void arrays/],
    ];
    for (const [bytes, message] of cases) {
      const path = join(dir, "bad.npy");
      writeFileSync(path, bytes);
      const e = inputError(() => readNpy(path));
      expect(e.message).toMatch(/^\/.*bad\.npy: /);
      expect(e.message).toMatch(message);
      expect(inputError(() => parseNpy(bytes, "mem")).message).toMatch(message);
    }
  });
});

describe(".npz archives and NumPy datasets", () => {
  it("reads np.savez (stored) and np.savez_compressed (deflated) archives written by NumPy", () => {
    const stored = readNpz(join(FIX, "stored.npz"));
    expect(stored.keys).toEqual(["X", "y"]);
    expect(Array.from(stored.read("X").data)).toEqual(A);
    const deflated = readNpz(join(FIX, "deflated.npz"));
    expect(deflated.read("X").dtype).toBe("<f4");
    expect(Array.from(deflated.read("X").data)).toEqual(A);
    expect(Array.from(deflated.read("y").data)).toEqual([1, -1, 1, -1, 1]);
  });

  it("loads datasets by array name (--x-key/--y-key), flattening image arrays per sample", () => {
    const ds = loadDataset(join(FIX, "deflated.npz"));
    expect([ds.X.rows, ds.X.cols, ds.Y.cols]).toEqual([5, 3, 1]);
    const named = loadDataset(join(FIX, "named.npz"), { xKey: "inputs", yKey: "labels" });
    expect([named.X.cols, named.Y.cols]).toEqual([3, 2]);
    expect(Array.from(named.Y.data.subarray(0, 4))).toEqual([1, -1, -1, 1]);
    const images = loadDataset(join(FIX, "images.npz"));
    expect([images.X.rows, images.X.cols]).toEqual([5, 8]);
    expect(Array.from(images.X.data.subarray(8, 16))).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(inputError(() => loadDataset(join(FIX, "named.npz"))).message).toMatch(/no array named "X"; the archive holds "inputs", "labels" \(choose with --x-key\)/);
    expect(inputError(() => loadDataset(join(FIX, "nan.npz"))).message).toMatch(/nan\.npz: X: entry 7 \(index \[2, 1\]\) is NaN, expected finite numbers/);
  });

  it("loads an .npy dataset with the last --label-cols columns as targets", () => {
    const ds = loadDataset(join(FIX, "c_f8.npy"));
    expect([ds.X.cols, ds.Y.cols]).toEqual([2, 1]);
    expect(Array.from(ds.Y.data)).toEqual(A.filter((_, t) => t % 3 === 2));
    expect(loadDataset(join(FIX, "fortran_f4.npy"), { labelCols: 2 }).X.cols).toBe(1);
    expect(inputError(() => loadDataset(join(FIX, "vector.npy"))).message).toMatch(/has shape \[5\], expected a 2-D array \[n, d \+ 1\]/);
  });

  it("writes datasets as .npz and .npy that read back bit-identically", () => {
    for (const address of ["builtin:blobs?n=13&d=3&seed=2", "builtin:mnist?digits=1,2,7&n=9"]) {
      const ds = makeBuiltin(address);
      for (const ext of ["npz", "npy"]) {
        const path = join(dir, `ds.${ext}`);
        saveDataset(ds, path);
        const back = loadDataset(path, { labelCols: ds.Y.cols });
        expect([back.X.rows, back.X.cols, back.Y.cols]).toEqual([ds.X.rows, ds.X.cols, ds.Y.cols]);
        expect(Buffer.from(back.X.data.buffer).equals(Buffer.from(ds.X.data.buffer))).toBe(true);
        expect(Buffer.from(back.Y.data.buffer).equals(Buffer.from(ds.Y.data.buffer))).toBe(true);
      }
    }
  });

  it("detects corruption: CRC-32, truncation, not a zip", () => {
    const good = readFileSync(join(FIX, "stored.npz"));
    const flipped = Buffer.from(good);
    flipped[200] ^= 0xff; // inside the X member's data
    expect(inputError(() => parseNpz(flipped, "f.npz").read("X")).message).toMatch(/f\.npz: X\.npy: CRC-32 mismatch/);
    expect(inputError(() => parseNpz(good.subarray(0, good.length - 30), "t.npz")).message).toMatch(/t\.npz: not a ZIP archive/);
    expect(inputError(() => parseNpz(Buffer.from("hello"), "h.npz")).message).toMatch(/not a ZIP archive/);
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926); // the CRC-32 check value
    const mine = parseNpz(encodeNpz([{ key: "a", shape: [2], data: Float64Array.of(1.5, -2) }]), "m");
    expect(Array.from(mine.read("a").data)).toEqual([1.5, -2]);
  });
});
