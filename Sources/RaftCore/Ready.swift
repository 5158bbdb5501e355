extension Raft {
    /// Everything the driver must do, in this order:
    /// 1. persist `snapshot` (if any), then `entries`, then `hardState` — durably (fsync);
    /// 2. send `messages` (only after step 1);
    /// 3. apply `snapshot` and then `committedEntries` to the state machine, and serve
    ///    `readStates` once their index is applied;
    /// 4. call `advance(ready)`.
    public struct Ready: Sendable {
        public var softState: SoftState?
        public var hardState: HardState?
        public var entries: [Entry] = []
        public var snapshot: Snapshot?
        public var committedEntries: [Entry] = []
        public var messages: [Message] = []
        public var readStates: [ReadState] = []

        public var isEmpty: Bool {
            softState == nil && hardState == nil && entries.isEmpty && snapshot == nil
                && committedEntries.isEmpty && messages.isEmpty && readStates.isEmpty
        }

        /// True when something must be written to disk before `messages` go out.
        public var mustSync: Bool { hardState != nil || !entries.isEmpty || snapshot != nil }
    }
}
