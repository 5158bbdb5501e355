import Component
import Foundation

/// The target a fuzzing process runs, chosen once by `SKIFF_FUZZ_TARGET`.
enum FuzzTarget {
    static let selected: @Sendable ([UInt8]) -> Int = {
        let name = ProcessInfo.processInfo.environment["SKIFF_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTargets.all[name] else {
            ComponentLogging.bootstrap(component: "skiff-fuzz", verbosity: 0).critical(
                "SKIFF_FUZZ_TARGET names no target", metadata: ["targets": "\(FuzzTargets.all.keys.sorted().joined(separator: ","))"])
            exit(2)
        }
        return target
    }()
}
