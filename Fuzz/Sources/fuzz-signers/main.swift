import CFuzzer
import Foundation
import FuzzTargets

// libFuzzer runs FuzzTargets.signers on each input (scripts/fuzz signers).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    FuzzTargets.signers(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
exit(status)
