/// Deterministic pseudo-random generator: xoshiro256** (Blackman & Vigna, 2018), its 256-bit state
/// filled from a UInt64 seed by SplitMix64 (Steele et al.):
///
///     SplitMix64:  z ← (x += 0x9E3779B97F4A7C15); z ← (z ⊕ z≫30)·0xBF58476D1CE4E5B9;
///                  z ← (z ⊕ z≫27)·0x94D049BB133111EB; return z ⊕ z≫31
///     xoshiro256**: out = rotl(s₁·5, 7)·9; t = s₁≪17; s₂ ⊕= s₀; s₃ ⊕= s₁; s₁ ⊕= s₂; s₀ ⊕= s₃;
///                   s₂ ⊕= t; s₃ = rotl(s₃, 45)
///
/// The same seed gives the same stream on every platform. Use `next(below:)` (Lemire's unbiased
/// multiply-and-reject) rather than the standard library's `Int.random(in:using:)`, whose
/// algorithm is not guaranteed stable across Swift versions.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    @inline(__always)
    private static func rotl(_ v: UInt64, _ k: UInt64) -> UInt64 { (v << k) | (v >> (64 - k)) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// The 256-bit state (s₀, s₁, s₂, s₃), for checkpoints: setting it resumes the stream exactly.
    public var state: [UInt64] {
        get { [s0, s1, s2, s3] }
        set {
            precondition(newValue.count == 4, "xoshiro256** state is 4 words");
            (s0, s1, s2, s3) = (newValue[0], newValue[1], newValue[2], newValue[3])
        }
    }

    /// A uniform integer in 0..<bound (bound ≥ 1), without modulo bias.
    public mutating func next(below bound: Int) -> Int { uniformIndex(below: bound) }
}

extension RandomNumberGenerator {
    /// Uniform integer in 0..<bound by Lemire's method (2019): the high word of x·bound, rejecting
    /// x whose low word falls below 2⁶⁴ mod bound. Platform- and version-stable.
    mutating func uniformIndex(below bound: Int) -> Int {
        precondition(bound >= 1, "bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Fisher–Yates shuffle driven by `uniformIndex(below:)` (stable across Swift versions).
    mutating func stableShuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(i, uniformIndex(below: i + 1))
        }
    }
}
