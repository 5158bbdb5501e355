import APIMachinery

/// Kubernetes stores one kind of Event and serves it as core/v1 and as events.k8s.io/v1.
/// Skiff stores the core/v1 form; these convert between the two views (field renames as
/// Kubernetes' conversion does: involvedObject ↔ regarding, message ↔ note, source ↔
/// deprecatedSource, first/lastTimestamp and count ↔ their deprecated* forms,
/// reportingComponent ↔ reportingController).
public enum EventConversion {
    static let renames: [(core: String, events: String)] = [
        ("involvedObject", "regarding"), ("message", "note"), ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"), ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"), ("reportingComponent", "reportingController"),
    ]

    /// core/v1 Event → events.k8s.io/v1 Event.
    public static func toEventsV1(_ core: JSONObject) -> JSONObject {
        var out = JSONObject()
        for member in core.members {
            switch member.key {
            case "kind": out["kind"] = "Event"
            case "apiVersion": out["apiVersion"] = "events.k8s.io/v1"
            default:
                let name = renames.first { $0.core == member.key }?.events ?? member.key
                if name == "deprecatedCount", member.value == .int(0) { continue }
                out[name] = member.value
            }
        }
        out["kind"] = "Event"
        out["apiVersion"] = "events.k8s.io/v1"
        return out
    }

    /// events.k8s.io/v1 Event → core/v1 Event.
    public static func toCore(_ events: JSONObject) -> JSONObject {
        var out = JSONObject()
        for member in events.members {
            switch member.key {
            case "kind": out["kind"] = "Event"
            case "apiVersion": out["apiVersion"] = "v1"
            default:
                let name = renames.first { $0.events == member.key }?.core ?? member.key
                out[name] = member.value
            }
        }
        out["kind"] = "Event"
        out["apiVersion"] = "v1"
        return out
    }
}
