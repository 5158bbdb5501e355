/// A fast, seedable random source for tie-breaking (SplitMix64). The scheduler draws a
/// number for every tied node of every cycle, so it must not cost a system call per draw
/// as `SystemRandomNumberGenerator` does; seed it once from the system (the default) or
/// with a fixed value for reproducible runs.
public struct SchedulingRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Seeded with `seed`: the same seed gives the same sequence.
    public init(seed: UInt64) { state = seed }

    /// Seeded from the system's random source.
    public init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
