import APIMachinery

// MARK: - Event (core/v1 and events.k8s.io/v1)

extension TablePrinter {
    /// LAST SEEN, TYPE, REASON, OBJECT, SUBOBJECT, SOURCE, MESSAGE, FIRST SEEN, COUNT, NAME.
    ///
    /// Both APIs print alike (events.k8s.io fields are read under their core names: `regarding`
    /// for `involvedObject`, `note` for `message`, the `deprecated*` fields for source, first
    /// and last timestamp and count). FIRST SEEN falls back to `eventTime`; LAST SEEN to FIRST
    /// SEEN; a series gives LAST SEEN and COUNT; a count of 0 prints as 1. OBJECT is
    /// `kind/name` with the kind lower-cased. SOURCE is `component, host`, falling back to the
    /// reporting controller and instance.
    static func eventCells(_ event: TableField, eventsAPI: Bool, now: Time) -> [JSONValue] {
        let involved = event[eventsAPI ? "regarding" : "involvedObject"]
        let source = event[eventsAPI ? "deprecatedSource" : "source"]
        let message = event[eventsAPI ? "note" : "message"].text
        let firstTime = event[eventsAPI ? "deprecatedFirstTimestamp" : "firstTimestamp"].time
        let lastTime = event[eventsAPI ? "deprecatedLastTimestamp" : "lastTimestamp"].time
        var count = event[eventsAPI ? "deprecatedCount" : "count"].number
        let reportingController = event[eventsAPI ? "reportingController" : "reportingComponent"].text
        let reportingInstance = event["reportingInstance"].text

        var firstSeen = HumanDuration.since(firstTime, now: now)
        if firstTime?.isZero ?? true { firstSeen = HumanDuration.since(event["eventTime"].microTime, now: now) }
        var lastSeen = HumanDuration.since(lastTime, now: now)
        if lastTime?.isZero ?? true { lastSeen = firstSeen }
        let series = event["series"]
        if series.isPresent {
            lastSeen = HumanDuration.since(series["lastObservedTime"].microTime, now: now)
            count = series["count"].number
        } else if count == 0 {
            count = 1
        }

        let kind = involved["kind"].text.lowercased()
        let involvedName = involved["name"].text
        let target = involvedName.isEmpty ? kind : "\(kind)/\(involvedName)"

        var component = source["component"].text
        if component.isEmpty { component = reportingController }
        var host = source["host"].text
        if host.isEmpty { host = reportingInstance }
        let sourceText = host.isEmpty ? component : "\(component), \(host)"

        return [
            .string(lastSeen),
            .string(event["type"].text),
            .string(event["reason"].text),
            .string(target),
            .string(involved["fieldPath"].text),
            .string(sourceText),
            .string(TableFormat.trimSpace(message)),
            .string(firstSeen),
            .int(count),
            .string(TableFormat.name(event)),
        ]
    }
}
