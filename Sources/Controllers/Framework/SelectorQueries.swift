import APIMachinery
import Logging

extension Logger {
    /// `selector` as a query for an event handler; nil, logged, when it does not parse (the
    /// apiserver's validation refuses such selectors, so only an object stored before it did
    /// can hold one). Syncs parse with `query()` and let the error retry the key instead.
    func query(_ selector: MetaV1.LabelSelector?, of owner: String) -> LabelSelectorQuery? {
        guard let selector else { return nil }
        do {
            return try selector.query()
        } catch {
            warning("ignoring an object whose label selector does not parse", metadata: ["object": "\(owner)", "error": "\(error)"])
            return nil
        }
    }
}
