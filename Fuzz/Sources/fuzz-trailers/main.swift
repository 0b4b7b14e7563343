import CFuzzer
import Foundation
import FuzzTargets

// libFuzzer runs FuzzTargets.trailers on each input (scripts/fuzz trailers).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    FuzzTargets.trailers(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
exit(status)
