"""PyTorch's CPU random stream, re-implemented in Python for the papers' recipes.

The authors' notebooks draw their data, starting weights and batch orders from torch's default
CPU generator. torch is not needed to regenerate them: this module reproduces the documented
behaviour of that generator and of the few torch functions the notebooks call.

- The generator is the 32-bit Mersenne Twister MT19937 (Matsumoto & Nishimura 1998) seeded with
  the low 32 bits of the seed by the reference initialisation x_i = 1812433253·(x_{i−1} ⊕
  (x_{i−1} >> 30)) + i. `random()` is one 32-bit output; `random64()` joins two outputs, the
  first as the high word.
- A float64 uniform on [from, to) takes the low 53 bits of random64() times 2^−53 and maps it
  with one fused multiply-add, x·(to − from) + from (torch's x86-64 builds contract it to an
  FMA; the embedding notebooks' starting weights differ in the last bit without it). A float32
  uniform on [0, 1) takes the low 24 bits of random() times 2^−24.
- normal_ on a contiguous tensor of ≥ 16 entries ("normal_fill") first fills it with uniforms,
  then transforms each block of 16 by Box–Muller, u1 = 1 − data[j], u2 = data[j + 8]:
  data[j] = √(−2 log u1)·cos(2π u2)·std + mean, data[j + 8] = … sin …; when the size is not a
  multiple of 16, the last 16 entries are refilled with fresh uniforms and transformed again.
  float32 tensors use the float32 libm functions (logf, cosf, sinf, sqrtf) with the angle
  computed in float64; float64 tensors the float64 ones.
- randperm(n) for small n is the Fisher–Yates variant r[i] ↔ r[i + random() mod (n − i)].
- A DataLoader with shuffle=True draws, when its iterator is created, one int64 "base seed"
  (random64() mod 2^63) from the global generator; its RandomSampler draws a second one when
  the first batch is requested, seeds a fresh generator with it and takes randperm(n) from it.

Checks (scripts/papers/make_inputs.py runs them): the embedding blobs and starting weights of
experiments 1 and 3 equal, bit for bit, the float64 values PyTorch wrote; the embedding
experiment 4 losses printed by its notebook and the final norms of experiments 2a and 2b follow
from these draws (examples/papers/README.md).
"""
from fractions import Fraction
import ctypes
import ctypes.util
import math
import struct

_MASK32 = 0xFFFFFFFF


class MT19937:
    """The reference 32-bit Mersenne Twister."""

    def __init__(self, seed):
        s = [0] * 624
        s[0] = seed & _MASK32
        for i in range(1, 624):
            s[i] = (1812433253 * (s[i - 1] ^ (s[i - 1] >> 30)) + i) & _MASK32
        self.state = s
        self.index = 624

    def _twist(self):
        s = self.state
        for i in range(624):
            y = (s[i] & 0x80000000) | (s[(i + 1) % 624] & 0x7FFFFFFF)
            s[i] = s[(i + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
        self.index = 0

    def next32(self):
        if self.index >= 624:
            self._twist()
        y = self.state[self.index]
        self.index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y & _MASK32


def _fma(a, b, c):
    """a·b + c rounded once (exact rational arithmetic, then one rounding to float64)."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def _f32(x):
    """Round a Python float to float32 and back."""
    return struct.unpack("f", struct.pack("f", x))[0]


_libm = ctypes.CDLL(ctypes.util.find_library("m"))
for _name in ("logf", "cosf", "sinf", "sqrtf"):
    getattr(_libm, _name).restype = ctypes.c_float
    getattr(_libm, _name).argtypes = [ctypes.c_float]


class Generator:
    """torch.Generator (CPU) after manual_seed(seed)."""

    def __init__(self, seed):
        self.engine = MT19937(seed)

    def random(self):
        return self.engine.next32()

    def random64(self):
        hi = self.engine.next32()
        lo = self.engine.next32()
        return (hi << 32) | lo

    def skip32(self, count):
        """Discard `count` 32-bit outputs (e.g. float32 uniforms drawn by layer constructors)."""
        for _ in range(count):
            self.engine.next32()

    def uniform64(self, lo=0.0, hi=1.0):
        x = (self.random64() & ((1 << 53) - 1)) * 2.0 ** -53
        return _fma(x, hi - lo, lo)

    def uniform32(self):
        return (self.random() & ((1 << 24) - 1)) * 2.0 ** -24

    def int64_seed(self):
        """torch.empty((), dtype=torch.int64).random_().item()."""
        return self.random64() % (1 << 63)

    def normal64(self, size, mean=0.0, std=1.0):
        """Tensor.normal_(mean, std) on a contiguous float64 tensor of `size` ≥ 16 entries."""
        return _normal_fill(size, self.uniform64, _box_muller64, mean, std)

    def normal32(self, size, mean=0.0, std=1.0):
        """Tensor.normal_(mean, std) on a contiguous float32 tensor of `size` ≥ 16 entries."""
        return _normal_fill(size, self.uniform32, _box_muller32, mean, std)

    def randperm(self, n):
        r = list(range(n))
        for i in range(n - 1):
            z = self.random() % (n - i)
            r[i], r[z + i] = r[z + i], r[i]
        return r


def _box_muller64(u1, u2, mean, std):
    radius = math.sqrt(-2 * math.log(u1))
    theta = 2.0 * math.pi * u2
    return radius * math.cos(theta) * std + mean, radius * math.sin(theta) * std + mean


def _box_muller32(u1, u2, mean, std):
    radius = _f32(_libm.sqrtf(_f32(-2.0 * _libm.logf(u1))))
    theta = _f32(2.0 * math.pi * u2)
    c = _f32(_f32(radius * _libm.cosf(theta)) * std + mean)
    s = _f32(_f32(radius * _libm.sinf(theta)) * std + mean)
    return c, s


def _normal_fill(size, uniform, box_muller, mean, std):
    if size < 16:
        raise ValueError("normal_fill needs at least 16 entries (smaller tensors use another path)")
    data = [uniform() for _ in range(size)]

    def block(off):
        for j in range(8):
            u1 = 1.0 - data[off + j]
            data[off + j], data[off + j + 8] = box_muller(u1, data[off + j + 8], mean, std)

    for off in range(0, size - 15, 16):
        block(off)
    if size % 16 != 0:
        off = size - 16
        for i in range(16):
            data[off + i] = uniform()
        block(off)
    return data


def leaky_relu_gain(negative_slope):
    """torch.nn.init.calculate_gain('leaky_relu', negative_slope)."""
    return math.sqrt(2.0 / (1 + negative_slope ** 2))
