import CFuzzer
import Foundation
import FuzzTargets

// libFuzzer runs FuzzTargets.records on each input (scripts/fuzz records).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    FuzzTargets.records(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
exit(status)
