import Component
import Foundation

#if FUZZING
/// libFuzzer's driver (`-sanitize=fuzzer` links it), run with this process's arguments.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif

/// Built with `-DFUZZING -sanitize=fuzzer`: libFuzzer runs the target `SKIFF_FUZZ_TARGET` names.
/// Otherwise `skiff-fuzz TARGET PATH...` runs every file under the paths (a corpus and its
/// crashers) through TARGET once, so `make test` checks that nothing found so far crashes
/// again; `skiff-fuzz` alone lists the targets.
@main
struct Replay {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            _ = FuzzTarget.selected(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
        #else
        let logger = ComponentLogging.bootstrap(component: "skiff-fuzz", verbosity: 0)
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTargets.all[name] else {
            logger.error("usage: skiff-fuzz TARGET PATH...", metadata: ["targets": "\(FuzzTargets.all.keys.sorted().joined(separator: ","))"])
            exit(arguments.isEmpty ? 0 : 2)
        }
        var count = 0, refusals = 0
        for path in arguments.dropFirst() {
            for file in files(under: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    logger.warning("unreadable input skipped", metadata: ["file": "\(file)"])
                    continue
                }
                refusals += target(Array(data))
                count += 1
            }
        }
        logger.info("inputs replayed, no crash", metadata: ["target": "\(name)", "inputs": "\(count)", "refusals": "\(refusals)"])
        #endif
    }

    static func files(under path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let names = (FileManager.default.subpaths(atPath: path) ?? []).sorted()
        return names.map { "\(path)/\($0)" }.filter { !$0.hasSuffix("/") && FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue }
    }
}
