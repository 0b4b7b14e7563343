import CFuzzer
import Foundation
import FuzzTargets

// libFuzzer runs FuzzTargets.policy on each input (scripts/fuzz policy).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    FuzzTargets.policy(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
exit(status)
