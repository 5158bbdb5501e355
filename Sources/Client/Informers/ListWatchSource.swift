/// Where a `Reflector` reads a collection from: a consistent list, then a watch of the changes
/// after it. The HTTP client implements it against the apiserver; tests implement it in memory.
///
/// Contract expected of an implementation:
/// - `list()` returns every object of the collection at one resourceVersion, and that version.
/// - `watch(from: rv)` streams, in order, every change after `rv` (no change at or before it),
///   each event carrying the object's new resourceVersion, plus optional `.bookmark`s that only
///   advance the version. The stream finishing without error is a disconnect: the reflector
///   watches again from the last version it saw.
/// - When `rv` is too old to resume from (410 Gone / reason Expired), `watch` or the stream
///   throws `ReflectorError.expired`; the reflector then lists again.
/// - Other errors are retried with back-off; cancellation of the calling task ends the stream.
public protocol ListWatchSource<Object>: Sendable {
    associatedtype Object: Sendable
    /// A full list: the objects and the list's resourceVersion.
    func list() async throws -> (items: [Object], resourceVersion: String)
    /// Watches from `resourceVersion`; yields events until the stream ends (a disconnect) or
    /// throws.
    func watch(from resourceVersion: String) async throws -> AsyncThrowingStream<WatchEvent<Object>, any Error>
}
