import APIMachinery
import Foundation
import Testing
@testable import Controllers

@Suite("Cron schedules")
struct CronSpecTests {
    static let newYork = TimeZone(identifier: "America/New_York")!

    /// Seconds since the epoch of an RFC 3339 time.
    static func at(_ text: String) -> Int64 {
        do {
            return try Time(rfc3339: text).secondsSinceEpoch
        } catch {
            preconditionFailure("bad test time \(text)")
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var schedule: String
        var after: String
        var next: String?
        var zone = "UTC"
        var testDescription: String { "\(schedule) after \(after) in \(zone)" }
    }

    static let cases: [Case] = [
        // Every field, steps, ranges and lists.
        Case(schedule: "* * * * *", after: "2026-01-01T00:00:30Z", next: "2026-01-01T00:01:00Z"),
        Case(schedule: "* * * * *", after: "2026-01-01T00:00:00Z", next: "2026-01-01T00:01:00Z"),
        Case(schedule: "? * * * ?", after: "2026-01-01T00:00:00Z", next: "2026-01-01T00:01:00Z"),
        Case(schedule: "*/15 * * * *", after: "2026-01-01T00:00:00Z", next: "2026-01-01T00:15:00Z"),
        Case(schedule: "1-10/3 * * * *", after: "2026-01-01T00:04:00Z", next: "2026-01-01T00:07:00Z"),
        Case(schedule: "1-10/3 * * * *", after: "2026-01-01T00:10:00Z", next: "2026-01-01T01:01:00Z"),
        Case(schedule: "5/20 * * * *", after: "2026-01-01T00:26:00Z", next: "2026-01-01T00:45:00Z"),
        Case(schedule: "0,30 9-17 * * *", after: "2026-01-01T17:30:00Z", next: "2026-01-02T09:00:00Z"),
        Case(schedule: "0 0 29 2 *", after: "2026-01-01T00:00:00Z", next: "2028-02-29T00:00:00Z"),
        Case(schedule: "0 0 30 2 *", after: "2026-01-01T00:00:00Z", next: nil),
        // Names, any case; 7 is Sunday.
        Case(schedule: "0 9 * * MON-FRI", after: "2026-01-02T10:00:00Z", next: "2026-01-05T09:00:00Z"),
        Case(schedule: "0 9 * * mon-fri", after: "2026-01-02T10:00:00Z", next: "2026-01-05T09:00:00Z"),
        Case(schedule: "0 0 1 Jul *", after: "2026-01-01T00:00:00Z", next: "2026-07-01T00:00:00Z"),
        Case(schedule: "0 0 * * 7", after: "2026-01-01T00:00:00Z", next: "2026-01-04T00:00:00Z"),
        Case(schedule: "0 0 * * sun", after: "2026-01-01T00:00:00Z", next: "2026-01-04T00:00:00Z"),
        Case(schedule: "0 0 * * 5-7", after: "2026-01-03T00:00:00Z", next: "2026-01-04T00:00:00Z"),
        // Day of month and day of week: either when both are restricted, both otherwise.
        Case(schedule: "0 0 13 * FRI", after: "2026-01-01T00:00:00Z", next: "2026-01-02T00:00:00Z"),
        Case(schedule: "0 0 13 * FRI", after: "2026-01-09T00:00:00Z", next: "2026-01-13T00:00:00Z"),
        Case(schedule: "0 0 1,15 * MON", after: "2026-01-01T00:00:00Z", next: "2026-01-05T00:00:00Z"),
        Case(schedule: "0 0 */1 * FRI", after: "2026-01-02T00:00:00Z", next: "2026-01-09T00:00:00Z"),
        Case(schedule: "0 0 */2 * FRI", after: "2026-01-02T00:00:00Z", next: "2026-01-03T00:00:00Z"),
        Case(schedule: "0 0 13 * *", after: "2026-01-01T00:00:00Z", next: "2026-01-13T00:00:00Z"),
        // Descriptors.
        Case(schedule: "@yearly", after: "2026-01-01T00:00:00Z", next: "2027-01-01T00:00:00Z"),
        Case(schedule: "@annually", after: "2026-03-01T00:00:00Z", next: "2027-01-01T00:00:00Z"),
        Case(schedule: "@monthly", after: "2026-01-01T00:00:00Z", next: "2026-02-01T00:00:00Z"),
        Case(schedule: "@weekly", after: "2026-01-01T00:00:00Z", next: "2026-01-04T00:00:00Z"),
        Case(schedule: "@daily", after: "2026-01-01T00:00:00Z", next: "2026-01-02T00:00:00Z"),
        Case(schedule: "@midnight", after: "2026-01-01T12:00:00Z", next: "2026-01-02T00:00:00Z"),
        Case(schedule: "@hourly", after: "2026-01-01T00:59:59Z", next: "2026-01-01T01:00:00Z"),
        Case(schedule: "@every 90s", after: "2026-01-01T00:00:00Z", next: "2026-01-01T00:01:30Z"),
        Case(schedule: "@every 1h30m", after: "2026-01-01T00:00:00Z", next: "2026-01-01T01:30:00Z"),
        Case(schedule: "@every 10ms", after: "2026-01-01T00:00:00Z", next: "2026-01-01T00:00:01Z"),
        // Wall-clock fields in the zone, across daylight saving (New York: 2026-03-08 02:00 EST
        // jumps to 03:00 EDT; 2026-11-01 02:00 EDT goes back to 01:00 EST).
        Case(schedule: "0 9 * * *", after: "2026-01-01T00:00:00Z", next: "2026-01-01T14:00:00Z", zone: "America/New_York"),
        Case(schedule: "0 9 * * *", after: "2026-07-01T00:00:00Z", next: "2026-07-01T13:00:00Z", zone: "America/New_York"),
        Case(schedule: "30 2 * * *", after: "2026-03-08T05:00:00Z", next: "2026-03-09T06:30:00Z", zone: "America/New_York"),
        Case(schedule: "0 3 * * *", after: "2026-03-08T05:00:00Z", next: "2026-03-08T07:00:00Z", zone: "America/New_York"),
        Case(schedule: "0 * * * *", after: "2026-03-08T06:00:00Z", next: "2026-03-08T07:00:00Z", zone: "America/New_York"),
        Case(schedule: "0 0 * * *", after: "2026-03-08T05:00:00Z", next: "2026-03-09T04:00:00Z", zone: "America/New_York"),
        Case(schedule: "30 1 * * *", after: "2026-11-01T05:30:00Z", next: "2026-11-01T06:30:00Z", zone: "America/New_York"),
        Case(schedule: "30 1 * * *", after: "2026-11-01T06:30:00Z", next: "2026-11-02T06:30:00Z", zone: "America/New_York"),
    ]

    @Test("the next activation strictly after a time", arguments: CronSpecTests.cases)
    func next(_ c: Case) throws {
        let spec = try CronSpec(parsing: c.schedule)
        let zone = try #require(TimeZone(identifier: c.zone))
        #expect(spec.next(after: Self.at(c.after), in: zone) == c.next.map(Self.at))
    }

    @Test("consecutive activations of an hourly schedule through the New York spring and autumn changes")
    func hourlyAcrossDaylightSaving() throws {
        let spec = try CronSpec(parsing: "0 * * * *")
        func walk(from start: String, count: Int) -> [Int64] {
            var times: [Int64] = []
            var t = Self.at(start)
            for _ in 0..<count {
                guard let next = spec.next(after: t, in: Self.newYork) else { break }
                times.append(next)
                t = next
            }
            return times
        }
        // 01:00 EST, then 03:00 EDT: the hour that does not exist is skipped.
        #expect(walk(from: "2026-03-08T05:30:00Z", count: 2) == ["2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z"].map(Self.at))
        // 01:00 EDT, 01:00 EST, 02:00 EST: the repeated hour comes twice, an hour apart.
        #expect(
            walk(from: "2026-11-01T04:30:00Z", count: 3)
                == ["2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"].map(Self.at))
    }

    @Test("descriptors are the five-field schedules they stand for")
    func descriptorsEqualFields() throws {
        let pairs = [
            ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"), ("@weekly", "0 0 * * 0"),
            ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"),
        ]
        for (descriptor, fields) in pairs {
            #expect(try CronSpec(parsing: descriptor) == CronSpec(parsing: fields), "\(descriptor)")
        }
        #expect(try CronSpec(parsing: "? ? ? ? ?") == CronSpec(parsing: "* * * * *"))
        #expect(try CronSpec(parsing: "0 0 * * 7") == CronSpec(parsing: "0 0 * * 0"))
        #expect(try CronSpec(parsing: "0 0 * JAN-mar sat,SUN") == CronSpec(parsing: "0 0 * 1-3 6,0"))
    }

    @Test(
        "schedules robfig's parser refuses",
        arguments: [
            "", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 13 *", "* * * * 8",
            "*/0 * * * *", "1-2-3 * * * *", "1/2/3 * * * *", "5-1 * * * *", "-1 * * * *", "a * * * *", "* * * FOO *",
            "@fortnightly", "@every", "@every 5x", "@Daily", "TZ=UTC * * * * *", "CRON_TZ=Europe/Paris 0 0 * * *",
        ])
    func refused(_ schedule: String) {
        #expect(throws: CronSpec.ParseError.self) { try CronSpec(parsing: schedule) }
    }

    @Test("parse errors are worded as robfig words them")
    func errorMessages() {
        func message(_ schedule: String) -> String? {
            do {
                _ = try CronSpec(parsing: schedule)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(message("") == "empty spec string")
        #expect(message("* * * *") == "expected exactly 5 fields, found 4: [* * * *]")
        #expect(message("61 * * * *") == "end of range (61) above maximum (59): 61")
        #expect(message("5-1 * * * *") == "beginning of range (5) beyond end of range (1): 5-1")
        #expect(message("*/0 * * * *") == "step of range should be a positive number: */0")
        #expect(message("@fortnightly") == "unrecognized descriptor: @fortnightly")
    }
}
