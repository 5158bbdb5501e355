/// Data a plugin computes once per scheduling cycle (in PreFilter or PreScore) and reads in
/// Filter or Score. Value types are the norm; a class must override `cloned()`.
public protocol StateData {
    /// An independent copy, for simulations that change the state (preemption, nominated
    /// pods). The default returns `self`, right for value types.
    func cloned() -> Self
}

extension StateData {
    public func cloned() -> Self { self }
}

/// Per-cycle scratch space shared by the plugins (upstream `framework.CycleState`), keyed by
/// the type of the stored data, plus the plugins PreFilter and PreScore asked to skip, and
/// the snapshot the cycle runs against (upstream plugins reach it through their handle).
///
/// One instance per scheduling attempt; not thread-safe (the cycle is run on one thread).
public final class CycleState {
    /// The nodes this cycle sees.
    public let snapshot: Snapshot
    private var storage: [ObjectIdentifier: any StateData] = [:]
    /// Filter plugins not run this cycle (their PreFilter returned `.skip`).
    public var skipFilterPlugins: Set<String> = []
    /// Score plugins not run this cycle (their PreScore returned `.skip`).
    public var skipScorePlugins: Set<String> = []
    /// The framework's per-filter-plugin skip flags, derived from `skipFilterPlugins` once per
    /// cycle so filtering a node needs no set lookup.
    var filterSkipMask: [Bool]?

    public init(snapshot: Snapshot) {
        self.snapshot = snapshot
    }

    /// Stores `value`, replacing any earlier value of its type.
    public func write<T: StateData>(_ value: T) {
        storage[ObjectIdentifier(T.self)] = value
    }

    /// The stored value of type `T`, if any.
    public func read<T: StateData>(_ type: T.Type) -> T? {
        storage[ObjectIdentifier(T.self)] as? T
    }

    /// A copy whose stored values are `cloned()`.
    public func clone() -> CycleState {
        let copy = CycleState(snapshot: snapshot)
        copy.storage = storage.mapValues { $0.cloned() }
        copy.skipFilterPlugins = skipFilterPlugins
        copy.skipScorePlugins = skipScorePlugins
        copy.filterSkipMask = filterSkipMask
        return copy
    }
}
