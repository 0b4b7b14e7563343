import CFuzzer
import Foundation
import FuzzTargets

// libFuzzer runs FuzzTargets.patterns on each input (scripts/fuzz patterns).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    FuzzTargets.patterns(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
exit(status)
