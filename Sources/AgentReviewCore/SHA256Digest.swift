import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// SHA-256 as lowercase hex, the one way the project writes a digest: signed record ids,
/// the audit log's chain, the hashes in syslog messages and the CI formats' fingerprints.
public enum SHA256Digest {
    public static func hex<D: DataProtocol>(_ data: D) -> String {
        lowercaseHex(SHA256.hash(data: data))
    }

    /// Bytes as lowercase hex, two digits a byte.
    public static func lowercaseHex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
