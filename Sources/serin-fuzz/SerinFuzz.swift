import Foundation
import FuzzTargets

// Built two ways (scripts/fuzz.sh):
// - with `-sanitize=fuzzer -DFUZZING`: a libFuzzer binary; SERIN_FUZZ_TARGET names the target.
// - plainly: `serin-fuzz TARGET FILE_OR_DIRECTORY…` runs the target on each input (a crash reproducer).

#if FUZZING
/// libFuzzer's entry point for a program that has its own `main` (SwiftPM gives every executable one).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["SERIN_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("SERIN_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue)), not \"\(name)\"")
    }
    return target
}()

/// One input: a trap, or a broken property, is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let problems = target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    if !problems.isEmpty { fatalError("property broken: \(problems.joined(separator: "; "))") }
    return 0
}

// SwiftPM names every executable's entry point; libFuzzer's driver is started from it.
@main
struct SerinFuzz {
    static func main() {
        _ = target  // fail at once on a wrong SERIN_FUZZ_TARGET
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) })
    }
}
#else
@main
struct SerinFuzz {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: serin-fuzz TARGET FILE_OR_DIRECTORY… (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        var failed = 0
        for path in arguments.dropFirst() {
            for file in try inputs(path) {
                let problems = target.run(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
                if !problems.isEmpty {
                    failed += 1
                    print("\(file): \(problems.joined(separator: "; "))")
                }
            }
        }
        exit(failed == 0 ? 0 : 1)
    }

    static func inputs(_ path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        return try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" }
    }
}
#endif
