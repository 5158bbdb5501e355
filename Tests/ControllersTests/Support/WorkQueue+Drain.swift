import Client

extension WorkQueue where Key == String {
    /// Takes every key that is ready now out of the queue (marking each done), in order. Keys
    /// still waiting for a delay stay; advance the clock first to include them. Never waits.
    func drainReady() async -> [String] {
        var keys: [String] = []
        while len > 0, let key = await get() {
            keys.append(key)
            done(key)
        }
        return keys
    }
}
