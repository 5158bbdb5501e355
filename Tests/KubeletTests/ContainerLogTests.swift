import APIMachinery
import Foundation
import Testing
@testable import Kubelet

/// `CRILogLine` against upstream's `parseCRILog` (pkg/kubelet/kuberuntime/logs).
@Suite("CRI log records (parseCRILog)")
struct CRILogLineTests {
    /// 2016-10-06T00:17:09Z in nanoseconds since the epoch.
    static let t0: Int64 = 1_475_713_029 * 1_000_000_000

    static func parse(_ text: String) -> CRILogLine? { CRILogLine(ArraySlice(text.utf8)) }

    static func content(_ line: CRILogLine) -> String { String(decoding: line.content, as: UTF8.self) }

    @Test("a full stdout record gives its time, stream and content, spaces in the content kept")
    func fullRecord() throws {
        let line = try #require(Self.parse("2016-10-06T00:17:09.669794202Z stdout F log  content 1 "))
        #expect(line.time == Self.t0 + 669_794_202)
        #expect(line.stream == "stdout")
        #expect(!line.partial)
        #expect(Self.content(line) == "log  content 1 ")
    }

    @Test("a partial stderr record is marked partial")
    func partialStderrRecord() throws {
        let line = try #require(Self.parse("2016-10-06T00:17:09.669794203Z stderr P log content 2"))
        #expect(line.time == Self.t0 + 669_794_203)
        #expect(line.stream == "stderr")
        #expect(line.partial)
        #expect(Self.content(line) == "log content 2")
    }

    @Test("only the first tag counts; extra `:` parts are ignored")
    func tagsWithExtraParts() throws {
        let full = try #require(Self.parse("2016-10-06T00:17:09Z stdout F:x:y hello"))
        #expect(!full.partial)
        #expect(Self.content(full) == "hello")
        let partial = try #require(Self.parse("2016-10-06T00:17:09Z stderr P:future hel"))
        #expect(partial.partial)
        #expect(Self.content(partial) == "hel")
    }

    @Test("a record with a tag and an empty content has empty content")
    func emptyContent() throws {
        let line = try #require(Self.parse("2016-10-06T00:17:09Z stdout F "))
        #expect(line.content.isEmpty)
        #expect(!line.partial)
    }

    @Test("lines that are not CRI records are nil", arguments: [
        "",
        "plain text without a time",
        "2016-10-06T00:17:09Z",
        "2016-10-06T00:17:09Z stdout",
        "not-a-time stdout F hello",
        "2016-10-06 00:17:09Z stdout F hello",
        "2016-10-06T00:17:09Z stdin F hello",
        "2016-10-06T00:17:09Z STDOUT F hello",
        "2016-10-06T00:17:09Z stdout X hello",
        "2016-10-06T00:17:09Z stdout FP hello",
        "2016-10-06T00:17:09Z stdout :F hello",
        "2016-10-06T25:17:09Z stdout F hello",
    ])
    func malformed(text: String) {
        #expect(Self.parse(text) == nil)
    }

    static let timeForms: [(String, Int64)] = [
        ("2016-10-06T00:17:09Z", CRILogLineTests.t0),
        ("2016-10-06T00:17:09.5Z", CRILogLineTests.t0 + 500_000_000),
        ("2016-10-06T00:17:09.000000001Z", CRILogLineTests.t0 + 1),
        ("2016-10-06T00:17:09.1234567891Z", CRILogLineTests.t0 + 123_456_789),
        ("2016-10-06T02:17:09.25+02:00", CRILogLineTests.t0 + 250_000_000),
        ("2016-10-05T23:47:09.000001-00:30", CRILogLineTests.t0 + 1_000),
        ("2016-10-06t00:17:09z", CRILogLineTests.t0),
    ]

    @Test("times with offsets and fractions resolve to nanoseconds since the epoch in UTC", arguments: CRILogLineTests.timeForms)
    func parsesTimes(text: String, nanoseconds: Int64) throws {
        #expect(CRILogLine.parseTime(text.utf8) == nanoseconds)
        let line = try #require(Self.parse(text + " stdout F x"))
        #expect(line.time == nanoseconds)
    }
}

/// `LogOptions(query:now:)` against the kubelet's `/containerLogs` query decoding and
/// `ValidatePodLogOptions`.
@Suite("Container log options (PodLogOptions query)")
struct LogOptionsTests {
    /// 2024-01-02T03:04:05Z in nanoseconds since the epoch.
    static let now: Int64 = 1_704_164_645 * 1_000_000_000

    static func parse(_ query: [String: [String]]) throws -> LogOptions {
        try LogOptions(query: query, now: now)
    }

    /// The error's text, or nil when the query is accepted.
    static func failure(_ query: [String: [String]]) -> String? {
        do {
            _ = try LogOptions(query: query, now: now)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("an empty query asks for the whole log without extras")
    func emptyQuery() throws {
        #expect(try Self.parse([:]) == LogOptions())
        let options = try Self.parse([:])
        #expect(!options.follow && !options.previous && !options.timestamps)
        #expect(options.tailLines == nil && options.limitBytes == nil && options.since == nil)
    }

    @Test("true spellings (and a bare name) set the flags", arguments: ["", "1", "t", "T", "true", "True", "TRUE"])
    func trueFlags(value: String) throws {
        let options = try Self.parse(["follow": [value], "previous": [value], "timestamps": [value]])
        #expect(options.follow)
        #expect(options.previous)
        #expect(options.timestamps)
    }

    @Test("false spellings leave the flags off", arguments: ["0", "f", "F", "false", "False", "FALSE"])
    func falseFlags(value: String) throws {
        let options = try Self.parse(["follow": [value], "previous": [value], "timestamps": [value]])
        #expect(options == LogOptions())
    }

    @Test("tailLines and limitBytes are read as integers; zero tail lines is allowed; empty values are unset")
    func integers() throws {
        let options = try Self.parse(["tailLines": ["10"], "limitBytes": ["2048"]])
        #expect(options.tailLines == 10)
        #expect(options.limitBytes == 2048)
        #expect(try Self.parse(["tailLines": ["0"]]).tailLines == 0)
        let empty = try Self.parse(["tailLines": [""], "limitBytes": [""], "sinceSeconds": [""], "sinceTime": [""]])
        #expect(empty == LogOptions())
    }

    @Test("sinceSeconds is resolved against now")
    func sinceSeconds() throws {
        let options = try Self.parse(["sinceSeconds": ["30"]])
        #expect(options.since == Self.now - 30_000_000_000)
    }

    @Test("sinceTime keeps its fraction and applies its offset")
    func sinceTime() throws {
        let options = try Self.parse(["sinceTime": ["2024-01-02T05:04:05.25+02:00"]])
        #expect(options.since == Self.now + 250_000_000)
        #expect(try Self.parse(["sinceTime": ["2024-01-02T03:04:05Z"]]).since == Self.now)
    }

    @Test("sinceSeconds and sinceTime together are an error")
    func bothSinceForms() {
        #expect(Self.failure(["sinceSeconds": ["30"], "sinceTime": ["2024-01-02T03:04:05Z"]])
            == "at most one of sinceTime or sinceSeconds may be specified")
    }

    @Test("negative or zero values below the minimum are errors")
    func outOfRange() {
        #expect(Self.failure(["tailLines": ["-1"]]) == "tailLines: Invalid value: -1: must be greater than or equal to 0")
        #expect(Self.failure(["limitBytes": ["0"]]) == "limitBytes: Invalid value: 0: must be greater than 0")
        #expect(Self.failure(["limitBytes": ["-5"]])?.hasPrefix("limitBytes: Invalid value: -5: ") == true)
        #expect(Self.failure(["sinceSeconds": ["0"]])?.hasPrefix("sinceSeconds: Invalid value: 0: ") == true)
        #expect(Self.failure(["sinceSeconds": ["-5"]])?.hasPrefix("sinceSeconds: Invalid value: -5: ") == true)
    }

    @Test("values that are not integers or times are errors; a flag is on unless spelt false")
    func notNumbers() {
        #expect(Self.failure(["timestamps": ["yes"]]) == nil)
        #expect(Self.failure(["tailLines": ["ten"]]) == "invalid value for tailLines: ten")
        #expect(Self.failure(["limitBytes": ["1.5"]]) == "invalid value for limitBytes: 1.5")
        #expect(Self.failure(["sinceTime": ["yesterday"]]) == "invalid value for sinceTime: yesterday")
    }
}

/// `LogFormatter` against upstream's `logWriter.write`.
@Suite("Container log formatter (logWriter)")
struct LogFormatterTests {
    static func format(_ formatter: inout LogFormatter, _ record: String) -> String {
        String(decoding: formatter.format(ArraySlice(record.utf8)), as: UTF8.self)
    }

    static func options(timestamps: Bool = false, limitBytes: Int64? = nil, since: Int64? = nil) -> LogOptions {
        var options = LogOptions()
        options.timestamps = timestamps
        options.limitBytes = limitBytes
        options.since = since
        return options
    }

    @Test("full records end with a newline, partial ones do not, and non-CRI lines are dropped")
    func plainContent() {
        var formatter = LogFormatter(LogOptions())
        #expect(Self.format(&formatter, "2024-01-02T03:04:05Z stdout F hello") == "hello\n")
        #expect(Self.format(&formatter, "2024-01-02T03:04:05Z stderr F oops") == "oops\n")
        #expect(Self.format(&formatter, "not a CRI record").isEmpty)
        #expect(Self.format(&formatter, "2024-01-02T03:04:05Z stdout P hel") == "hel")
    }

    @Test("partial records join into one line")
    func partialRecordsJoin() {
        var formatter = LogFormatter(LogOptions())
        let out = Self.format(&formatter, "2024-01-02T03:04:05Z stdout P hel")
            + Self.format(&formatter, "2024-01-02T03:04:05Z stdout P lo ")
            + Self.format(&formatter, "2024-01-02T03:04:05Z stdout F world")
        #expect(out == "hello world\n")
    }

    @Test("a line split into partial records gets one timestamp, at its start")
    func timestampOncePerLine() {
        var formatter = LogFormatter(Self.options(timestamps: true))
        let out = Self.format(&formatter, "2024-01-02T03:04:05Z stdout P hel")
            + Self.format(&formatter, "2024-01-02T03:04:06Z stdout F lo")
            + Self.format(&formatter, "2024-01-02T03:04:07Z stdout F next")
        #expect(out == "2024-01-02T03:04:05.000000000Z hello\n2024-01-02T03:04:07.000000000Z next\n")
    }

    @Test("timestamps prefix the UTC time with nine fraction digits and Z")
    func timestamps() {
        var formatter = LogFormatter(Self.options(timestamps: true))
        #expect(Self.format(&formatter, "2024-01-02T03:04:05.5Z stdout F hello")
            == "2024-01-02T03:04:05.500000000Z hello\n")
        #expect(Self.format(&formatter, "2024-01-02T05:04:05.000000007+02:00 stdout F offset")
            == "2024-01-02T03:04:05.000000007Z offset\n")
        #expect(Self.format(&formatter, "2024-01-02T03:04:05Z stdout F whole")
            == "2024-01-02T03:04:05.000000000Z whole\n")
        #expect(RFC3339.format(nanosecondsSinceEpoch: 1_704_164_645 * 1_000_000_000 + 123)
            == "2024-01-02T03:04:05.000000123Z")
    }

    @Test("records before since are left out; one exactly at since is kept")
    func sinceFilter() {
        let since: Int64 = 1_704_164_646 * 1_000_000_000  // 2024-01-02T03:04:06Z
        var formatter = LogFormatter(Self.options(since: since))
        #expect(Self.format(&formatter, "2024-01-02T03:04:05.999999999Z stdout F early").isEmpty)
        #expect(Self.format(&formatter, "2024-01-02T03:04:06Z stdout F exact") == "exact\n")
        #expect(Self.format(&formatter, "2024-01-02T03:04:07Z stdout F late") == "late\n")
    }

    @Test("limitBytes cuts the output mid-line and then stops")
    func limitBytes() {
        var formatter = LogFormatter(Self.options(limitBytes: 8))
        #expect(!formatter.exhausted)
        #expect(Self.format(&formatter, "2024-01-02T03:04:05Z stdout F hello") == "hello\n")
        #expect(!formatter.exhausted)
        #expect(Self.format(&formatter, "2024-01-02T03:04:05Z stdout F world") == "wo")
        #expect(formatter.exhausted)
        #expect(Self.format(&formatter, "2024-01-02T03:04:05Z stdout F more").isEmpty)
        // The timestamp prefix counts against the limit too.
        var stamped = LogFormatter(Self.options(timestamps: true, limitBytes: 10))
        #expect(Self.format(&stamped, "2024-01-02T03:04:05Z stdout F hello") == "2024-01-02")
        #expect(stamped.exhausted)
    }
}

/// `ContainerLogSource` against upstream's `validateContainerLogStatus`.
@Suite("Container log source (validateContainerLogStatus)")
struct ContainerLogSourceTests {
    static func status(
        _ name: String = "app", id: String? = nil, state: CoreV1.ContainerState? = nil, last: CoreV1.ContainerState? = nil
    ) -> CoreV1.ContainerStatus {
        CoreV1.ContainerStatus(containerID: id, lastState: last, name: name, state: state)
    }

    static func pod(
        _ statuses: [CoreV1.ContainerStatus], initial: [CoreV1.ContainerStatus]? = nil, ephemeral: [CoreV1.ContainerStatus]? = nil
    ) -> CoreV1.Pod {
        CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(name: "web", namespace: "default"),
            status: CoreV1.PodStatus(containerStatuses: statuses, ephemeralContainerStatuses: ephemeral, initContainerStatuses: initial))
    }

    static let running = CoreV1.ContainerState(running: CoreV1.ContainerStateRunning())

    static func terminated(_ id: String? = nil) -> CoreV1.ContainerState {
        CoreV1.ContainerState(terminated: CoreV1.ContainerStateTerminated(containerID: id, exitCode: 1))
    }

    static func waiting(_ reason: String?) -> CoreV1.ContainerState {
        CoreV1.ContainerState(waiting: CoreV1.ContainerStateWaiting(reason: reason))
    }

    static func lookup(_ pod: CoreV1.Pod, _ container: String = "app", previous: Bool = false) -> Result<String, ContainerLogSource.Refusal> {
        ContainerLogSource.containerID(pod: pod, container: container, previous: previous)
    }

    /// The refusal's text, or nil when an ID was found.
    static func refusal(_ result: Result<String, ContainerLogSource.Refusal>) -> String? {
        if case .failure(let refusal) = result { return refusal.description }
        return nil
    }

    @Test("a running container reads its current ID, with the containerd:// scheme stripped")
    func runningReadsCurrentID() {
        let pod = Self.pod([Self.status(id: "containerd://abc123", state: Self.running)])
        #expect(Self.lookup(pod) == .success("abc123"))
        let bare = Self.pod([Self.status(id: "abc123", state: Self.running)])
        #expect(Self.lookup(bare) == .success("abc123"))
    }

    @Test("a terminated container reads the ID of its terminated state")
    func terminatedReadsItsID() {
        let pod = Self.pod([Self.status(id: "containerd://current", state: Self.terminated("containerd://done1"))])
        #expect(Self.lookup(pod) == .success("done1"))
    }

    @Test("a terminated state without an ID falls back to the last termination, else is refused")
    func terminatedFallsBackToLastState() {
        let pod = Self.pod([Self.status(state: Self.terminated(), last: Self.terminated("containerd://before"))])
        #expect(Self.lookup(pod) == .success("before"))
        let nothing = Self.pod([Self.status(state: Self.terminated())])
        #expect(Self.refusal(Self.lookup(nothing)) == "container \"app\" in pod \"web\" is terminated")
    }

    @Test("a container waiting to restart reads its last termination")
    func crashLoopReadsLastState() {
        let pod = Self.pod([Self.status(state: Self.waiting("CrashLoopBackOff"), last: Self.terminated("containerd://crashed"))])
        #expect(Self.lookup(pod) == .success("crashed"))
    }

    static let waitingReasons: [(String, String)] = [
        ("ErrImagePull", "image can't be pulled"),
        ("ImagePullBackOff", "trying and failing to pull image"),
        ("ContainerCreating", "ContainerCreating"),
    ]

    @Test("a container that never started is refused with its waiting reason", arguments: ContainerLogSourceTests.waitingReasons)
    func waitingIsRefused(reason: String, shown: String) {
        let pod = Self.pod([Self.status(state: Self.waiting(reason))])
        #expect(Self.refusal(Self.lookup(pod)) == "container \"app\" in pod \"web\" is waiting to start: \(shown)")
    }

    @Test("a container without any state has no logs yet")
    func noState() {
        let pod = Self.pod([Self.status()])
        #expect(Self.refusal(Self.lookup(pod)) == "container \"app\" in pod \"web\" is waiting to start - no logs yet")
    }

    @Test("previous reads the last termination's ID, even while the container runs")
    func previousReadsLastState() {
        let pod = Self.pod([Self.status(id: "containerd://now", state: Self.running, last: Self.terminated("containerd://old1"))])
        #expect(Self.lookup(pod, previous: true) == .success("old1"))
    }

    @Test("previous without a last termination is refused")
    func previousWithoutLastState() {
        let pod = Self.pod([Self.status(id: "containerd://now", state: Self.running)])
        #expect(Self.refusal(Self.lookup(pod, previous: true)) == "previous terminated container \"app\" in pod \"web\" not found")
        let empty = Self.pod([Self.status(id: "containerd://now", state: Self.running, last: Self.terminated(""))])
        #expect(Self.refusal(Self.lookup(empty, previous: true)) == "previous terminated container \"app\" in pod \"web\" not found")
    }

    @Test("init and ephemeral containers are found too")
    func initAndEphemeral() {
        let pod = Self.pod(
            [Self.status(id: "containerd://main", state: Self.running)],
            initial: [Self.status("setup", state: Self.terminated("containerd://setup1"))],
            ephemeral: [Self.status("debugger", id: "containerd://debug1", state: Self.running)])
        #expect(Self.lookup(pod, "setup") == .success("setup1"))
        #expect(Self.lookup(pod, "debugger") == .success("debug1"))
    }

    @Test("an unknown container is not available")
    func unknownContainer() {
        let pod = Self.pod([Self.status(id: "containerd://abc123", state: Self.running)])
        #expect(Self.refusal(Self.lookup(pod, "sidecar")) == "container \"sidecar\" in pod \"web\" is not available")
        #expect(Self.refusal(Self.lookup(CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: "bare")), "app"))
            == "container \"app\" in pod \"bare\" is not available")
    }
}

/// `StreamOptions.parse` against upstream's remotecommand `NewOptions`.
@Suite("Exec/attach stream options (remotecommand NewOptions)")
struct StreamOptionsTests {
    static func parse(_ query: [String: [String]]) -> StreamSelection? {
        if case .success(let streams) = StreamOptions.parse(query) { return streams }
        return nil
    }

    static func failure(_ query: [String: [String]]) -> String? {
        if case .failure(let error) = StreamOptions.parse(query) { return error.description }
        return nil
    }

    @Test("input, output and error select stdin, stdout and stderr")
    func streams() {
        #expect(Self.parse(["output": ["1"], "error": ["1"]]) == StreamSelection(stdout: true, stderr: true))
        #expect(Self.parse(["input": ["1"]]) == StreamSelection(stdin: true))
        #expect(Self.parse(["input": ["1"], "output": ["1"], "error": ["1"]]) == StreamSelection(stdin: true, stdout: true, stderr: true))
    }

    @Test("true spellings are accepted as well as 1")
    func trueSpellings() {
        #expect(Self.parse(["input": ["true"], "output": ["T"], "error": ["TRUE"]]) == StreamSelection(stdin: true, stdout: true, stderr: true))
        #expect(Self.parse(["output": ["1"], "error": ["0"], "input": ["false"]]) == StreamSelection(stdout: true))
    }

    @Test("a terminal drops stderr")
    func ttyDropsStderr() {
        #expect(Self.parse(["input": ["1"], "output": ["1"], "error": ["1"], "tty": ["1"]])
            == StreamSelection(stdin: true, stdout: true, stderr: false, tty: true))
    }

    @Test("none of input, output and error is an error")
    func noStreams() {
        let message = "you must specify at least 1 of stdin, stdout, stderr"
        #expect(Self.failure([:]) == message)
        #expect(Self.failure(["tty": ["1"]]) == message)
        #expect(Self.failure(["input": ["0"], "output": ["false"], "error": [""]]) == message)
        // A terminal drops stderr first, so stderr alone with a terminal is no stream at all.
        #expect(Self.failure(["error": ["1"], "tty": ["1"]]) == message)
    }
}

/// `ContainerLogReader` on real files: tail, limit, follow until the container stops, rotation.
@Suite("Container log reader")
struct ContainerLogReaderTests {
    static let contents = """
        2024-01-02T03:04:05.000000001Z stdout F first
        2024-01-02T03:04:06.000000002Z stderr F second
        2024-01-02T03:04:07.000000003Z stdout F third

        """

    /// What the reader sent and how often.
    actor Sink {
        private(set) var bytes: [UInt8] = []
        private(set) var writes = 0
        let accept: Bool

        init(accept: Bool = true) { self.accept = accept }

        func write(_ chunk: ArraySlice<UInt8>) -> Bool {
            bytes += chunk
            writes += 1
            return accept
        }

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// A container's liveness as the reader sees it: each answer in turn (then false), after
    /// running the matching step, which writes to the log as the container would.
    actor Liveness {
        private var answers: [(step: @Sendable () -> Void, running: Bool)]
        private(set) var calls = 0

        init(_ answers: [(step: @Sendable () -> Void, running: Bool)]) { self.answers = answers }

        func check() -> Bool {
            calls += 1
            guard !answers.isEmpty else { return false }
            let next = answers.removeFirst()
            next.step()
            return next.running
        }
    }

    static func file(_ text: String, in directory: String, name: String = "0.log") throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func append(_ text: String, to path: String) {
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { handle.closeFile() }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
    }

    static func options(follow: Bool = false, timestamps: Bool = false, tailLines: Int64? = nil, limitBytes: Int64? = nil) -> LogOptions {
        var options = LogOptions()
        options.follow = follow
        options.timestamps = timestamps
        options.tailLines = tailLines
        options.limitBytes = limitBytes
        return options
    }

    /// Runs a reader over `path` with short intervals and returns what it wrote.
    static func read(
        _ path: String, _ options: LogOptions, sink: Sink = Sink(),
        stillRunning: @escaping @Sendable () async -> Bool = { false }
    ) async throws -> String {
        var reader = ContainerLogReader(path: path, options: options)
        reader.pollInterval = .milliseconds(5)
        reader.runningCheckInterval = .milliseconds(5)
        let handle = try reader.open()
        await reader.run(handle, write: { await sink.write($0) }, stillRunning: stillRunning)
        return await sink.text
    }

    @Test("the whole file is read, both streams, non-CRI lines skipped")
    func wholeFile() async throws {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let path = try Self.file(Self.contents + "garbage line\n" + "2024-01-02T03:04:08Z stdout F fourth\n", in: directory)
        #expect(try await Self.read(path, LogOptions()) == "first\nsecond\nthird\nfourth\n")
    }

    @Test("timestamps prefix each line", arguments: [false, true])
    func timestamps(enabled: Bool) async throws {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let path = try Self.file(Self.contents, in: directory)
        let out = try await Self.read(path, Self.options(timestamps: enabled, tailLines: 1))
        #expect(out == (enabled ? "2024-01-02T03:04:07.000000003Z third\n" : "third\n"))
    }

    static let tails: [(Int64, String)] = [
        (0, ""),
        (1, "third\n"),
        (2, "second\nthird\n"),
        (3, "first\nsecond\nthird\n"),
        (10, "first\nsecond\nthird\n"),
    ]

    @Test("tailLines reads only the last lines", arguments: ContainerLogReaderTests.tails)
    func tailLines(lines: Int64, expected: String) async throws {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let path = try Self.file(Self.contents, in: directory)
        #expect(try await Self.read(path, Self.options(tailLines: lines)) == expected)
    }

    @Test("an unfinished last record is shown, beside the tail lines and not counted as one")
    func unfinishedLastRecord() async throws {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let path = try Self.file(Self.contents + "2024-01-02T03:04:08Z stdout F cut", in: directory)
        #expect(try await Self.read(path, LogOptions()) == "first\nsecond\nthird\ncut\n")
        #expect(try await Self.read(path, Self.options(tailLines: 1)) == "third\ncut\n")
        let empty = try Self.file("", in: directory, name: "empty.log")
        #expect(try await Self.read(empty, Self.options(tailLines: 1)) == "")
    }

    @Test("tailOffset counts lines across 64 KiB blocks")
    func tailOffsetAcrossBlocks() throws {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let count = 2000
        let lines = (0..<count).map { index in
            let number = String(index)
            return "2024-01-02T03:04:05.000000000Z stdout F line-" + String(repeating: "0", count: 5 - number.count) + number + "\n"
        }
        let length = lines[0].utf8.count
        let path = try Self.file(lines.joined(), in: directory)
        #expect(count * length > 64 * 1024)
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { handle.closeFile() }
        #expect(try ContainerLogReader.tailOffset(handle, lines: 0) == UInt64(count * length))
        #expect(try ContainerLogReader.tailOffset(handle, lines: 1) == UInt64((count - 1) * length))
        #expect(try ContainerLogReader.tailOffset(handle, lines: 1500) == UInt64((count - 1500) * length))
        #expect(try ContainerLogReader.tailOffset(handle, lines: Int64(count)) == 0)
        #expect(try ContainerLogReader.tailOffset(handle, lines: 5000) == 0)
    }

    @Test("limitBytes cuts the output mid-line and stops reading")
    func limitBytes() async throws {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let path = try Self.file(Self.contents, in: directory)
        #expect(try await Self.read(path, Self.options(limitBytes: 8)) == "first\nse")
        #expect(try await Self.read(path, Self.options(tailLines: 2, limitBytes: 10)) == "second\nthi")
    }

    @Test("following picks up lines written while the container runs and just before it stops")
    func followUntilStopped() async throws {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let path = try Self.file(Self.contents, in: directory)
        let liveness = Liveness([
            (step: { Self.append("2024-01-02T03:04:08Z stdout F fourth\n", to: path) }, running: true),
            (step: { Self.append("2024-01-02T03:04:09Z stdout P fif\n2024-01-02T03:04:09Z stdout F th\n", to: path) }, running: false),
        ])
        let out = try await Self.read(path, Self.options(follow: true), stillRunning: { await liveness.check() })
        #expect(out == "first\nsecond\nthird\nfourth\nfifth\n")
        #expect(await liveness.calls == 2)
    }

    @Test("following from tailLines=0 shows only what is written afterwards")
    func followFromEnd() async throws {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let path = try Self.file(Self.contents, in: directory)
        let liveness = Liveness([
            (step: { Self.append("2024-01-02T03:04:08Z stdout F new\n", to: path) }, running: false),
        ])
        let out = try await Self.read(path, Self.options(follow: true, tailLines: 0), stillRunning: { await liveness.check() })
        #expect(out == "new\n")
        #expect(await liveness.calls == 1)
    }

    @Test("following continues in the new file after rotation")
    func followAcrossRotation() async throws {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let path = try Self.file(Self.contents, in: directory)
        let liveness = Liveness([
            (step: {
                try? FileManager.default.moveItem(atPath: path, toPath: path + ".20240102-030408")
                _ = FileManager.default.createFile(atPath: path, contents: Data("2024-01-02T03:04:08Z stdout F rotated\n".utf8))
            }, running: true),
        ])
        let out = try await Self.read(path, Self.options(follow: true), stillRunning: { await liveness.check() })
        #expect(out == "first\nsecond\nthird\nrotated\n")
        #expect(await liveness.calls == 2)
    }

    @Test("following ends when the client stops accepting output, without asking about the container")
    func clientLeaves() async throws {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let path = try Self.file(Self.contents, in: directory)
        let sink = Sink(accept: false)
        let liveness = Liveness([])
        let out = try await Self.read(path, Self.options(follow: true), sink: sink, stillRunning: { await liveness.check() })
        #expect(out == "first\nsecond\nthird\n")
        #expect(await sink.writes == 1)
        #expect(await liveness.calls == 0)
    }

    @Test("a missing file fails to open with its path in the error")
    func missingFile() {
        let directory = Fx.temporaryDirectory("logs")
        defer { Fx.remove(directory) }
        let path = directory + "/missing.log"
        let reader = ContainerLogReader(path: path, options: LogOptions())
        do {
            _ = try reader.open()
            Issue.record("opening \(path) succeeded")
        } catch {
            #expect("\(error)".hasPrefix("failed to open log file \"\(path)\": "))
        }
    }
}

/// `ContainerLogRotation`: which files are rotated copies of a log, and which to remove.
@Suite("Container log rotation")
struct ContainerLogRotationTests {
    @Test("rotated copies are the log's name with a time suffix, oldest first; others are ignored")
    func rotatedFiles() {
        let entries = ["0.log", "0.log.20240102-030406", "1.log.20240102-030405", "0.log.20240102-030405",
                       "0.log.20240102-030407.tmp", "0.log.bad", "other"]
        #expect(ContainerLogRotation.rotated(of: "/var/log/pods/x/c/0.log", in: entries)
            == ["0.log.20240102-030405", "0.log.20240102-030406"])
    }

    @Test("excess keeps maxFiles - 2 rotated copies (the live log and the new copy make up the rest)")
    func excessFiles() {
        let rotated = ["0.log.20240101-000000", "0.log.20240102-000000", "0.log.20240103-000000"]
        #expect(ContainerLogRotation.excess(rotated: rotated, maxFiles: 5) == [])
        #expect(ContainerLogRotation.excess(rotated: rotated, maxFiles: 4) == ["0.log.20240101-000000"])
        #expect(ContainerLogRotation.excess(rotated: rotated, maxFiles: 2) == rotated)
    }

    @Test("the suffix is the UTC time as yyyyMMdd-HHmmss")
    func suffix() {
        #expect(ContainerLogRotation.suffix(Date(timeIntervalSince1970: 1_704_164_645)) == "20240102-030405")
    }

    @Test("containerLogMaxSize, containerLogMaxFiles and containerLogMonitorInterval are read from the configuration")
    func configuration() throws {
        let config = try KubeletConfiguration.parse("""
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            containerLogMaxSize: 4Ki
            containerLogMaxFiles: 3
            containerLogMonitorInterval: 2s
            """)
        #expect(config.containerLogMaxSize == 4096)
        #expect(config.containerLogMaxFiles == 3)
        #expect(config.containerLogMonitorInterval == .seconds(2))
        #expect(throws: KubeletConfigurationError.self) {
            try KubeletConfiguration.parse("kind: KubeletConfiguration\ncontainerLogMaxFiles: 1\n")
        }
        #expect(throws: KubeletConfigurationError.self) {
            try KubeletConfiguration.parse("kind: KubeletConfiguration\ncontainerLogMaxSize: lots\n")
        }
    }
}
