import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import _CryptoExtras

// OpenSSH signatures (PROTOCOL.sshsig), parsed and verified in-process.
//
// Supported keys: ssh-ed25519, ecdsa-sha2-nistp256/384/521 and ssh-rsa of 2048 bits or
// more (signed with rsa-sha2-256 or rsa-sha2-512; SHA-1 `ssh-rsa` signatures are refused,
// as OpenSSH refuses them for SSHSIG). Certificates, security-key (`sk-…`) keys and DSA
// keys are refused by name.

/// Why a signature or a public key was refused. Each message says what was found and,
/// where there is one, what to do about it.
public enum SignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not an armored SSH signature; the reason says which part is wrong.
    case notArmored(String)
    /// The armored body is not valid base64.
    case invalidBase64
    /// The decoded blob does not start with the `SSHSIG` magic.
    case notSSHSIG
    /// A signature format version this code does not implement.
    case unsupportedVersion(UInt32)
    /// The blob is truncated or a field is malformed; the reason says which.
    case malformed(String)
    /// Bytes follow the last field of the named structure.
    case trailingData(String)
    /// The signature names an empty namespace, which PROTOCOL.sshsig forbids.
    case emptyNamespace
    /// The message hash is neither sha256 nor sha512.
    case unsupportedHashAlgorithm(String)
    /// A key type this code cannot verify (certificates, security keys, DSA, unknown).
    case unsupportedKeyType(String)
    /// A public key whose encoding or value is invalid.
    case invalidPublicKey(String)
    /// An RSA key below 2048 bits.
    case rsaKeyTooSmall(bits: Int)
    /// A SHA-1 RSA signature (`ssh-rsa`), refused for SSHSIG.
    case insecureSignatureAlgorithm(String)
    /// The signature was made with an algorithm that does not belong to the key.
    case signatureAlgorithmMismatch(keyType: String, signatureAlgorithm: String)
    /// The signature was made for another namespace than the one being checked.
    case namespaceMismatch(expected: String, found: String)
    /// The signature carries another key than the one it was expected to be made with.
    case keyMismatch(expected: String, found: String)
    /// The cryptographic check failed: the signed bytes or the signature were changed.
    case invalidSignature(fingerprint: String)

    public var description: String {
        switch self {
        case .notArmored(let why):
            return "not an armored SSH signature: \(why)"
        case .invalidBase64:
            return "the SSH signature is not valid base64: it was damaged or truncated"
        case .notSSHSIG:
            return "not an SSH signature: the decoded data does not start with SSHSIG"
        case .unsupportedVersion(let version):
            return "SSH signature format version \(version) is not supported (only version 1)"
        case .malformed(let why):
            return "malformed SSH signature: \(why)"
        case .trailingData(let whereFound):
            return "malformed SSH signature: unexpected bytes after the \(whereFound)"
        case .emptyNamespace:
            return "the SSH signature has an empty namespace"
        case .unsupportedHashAlgorithm(let name):
            return "the SSH signature uses hash algorithm \"\(name)\"; only sha256 and sha512 are supported"
        case .unsupportedKeyType(let type):
            return "\(type) keys are not supported: use an ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (2048 bits or more) key"
        case .invalidPublicKey(let why):
            return "invalid public key: \(why)"
        case .rsaKeyTooSmall(let bits):
            return "the RSA key has \(bits) bits; at least 2048 are required: generate a new key with ssh-keygen -t ed25519"
        case .insecureSignatureAlgorithm(let name):
            return "the signature uses \(name) (SHA-1), which is refused: re-sign with a current ssh-keygen (rsa-sha2-512)"
        case .signatureAlgorithmMismatch(let keyType, let algorithm):
            return "the signature was made with \(algorithm), which does not belong to the \(keyType) key it carries"
        case .namespaceMismatch(let expected, let found):
            if found == "git" {
                return "this is a git signature (namespace \"git\"), not an \(expected) signature: sign with ssh-keygen -Y sign -n \(expected)"
            }
            return "the signature is for namespace \"\(found)\", not \"\(expected)\": sign with ssh-keygen -Y sign -n \(expected)"
        case .keyMismatch(let expected, let found):
            return "the signature was made with key \(found), not the expected key \(expected)"
        case .invalidSignature(let fingerprint):
            return "the signature by key \(fingerprint) does not match the signed bytes: they or the signature were changed after signing"
        }
    }
}

// MARK: - Public keys

/// An OpenSSH public key: its type name and its wire encoding (RFC 4253 §6.6, RFC 5656,
/// RFC 8709). Two keys are equal when their wire encodings are; RSA keys are re-encoded
/// canonically (minimal integers), so equal keys have equal encodings, as in OpenSSH.
public struct SSHPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The key type: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ecdsa-sha2-nistp384`,
    /// `ecdsa-sha2-nistp521` or `ssh-rsa`.
    public let type: String
    /// The key in SSH wire format, as in the base64 field of an authorized_keys line.
    public let wireBlob: [UInt8]
    let material: KeyMaterial

    /// The key types this code verifies signatures for.
    public static let supportedTypes = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
    ]

    /// Key type names OpenSSH knows but this code does not verify; recognised so they are
    /// refused by name rather than misread.
    static let knownUnsupportedTypes: Set<String> = [
        "ssh-dss", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", "ssh-xmss@openssh.com",
        "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// Whether `name` is the name of a key type OpenSSH would read (supported or not,
    /// including certificate types).
    static func isKeyTypeName(_ name: some StringProtocol) -> Bool {
        supportedTypes.contains(String(name)) || knownUnsupportedTypes.contains(String(name))
            || name.hasSuffix("-cert-v01@openssh.com")
    }

    /// Reads a key from its wire encoding.
    public init(wireBlob: [UInt8]) throws(SignatureError) {
        var reader = WireReader(wireBlob, what: "public key")
        let type = try reader.readUTF8String("key type")
        let material: KeyMaterial
        switch type {
        case "ssh-ed25519":
            let point = try reader.readString("ed25519 key")
            guard point.count == 32 else {
                throw .invalidPublicKey("an ed25519 key has 32 bytes, this one \(point.count)")
            }
            material = .ed25519(Array(point))
        case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
            let curve = ECDSACurve(keyType: type)!
            let curveName = try reader.readUTF8String("curve name")
            guard curveName == curve.name else {
                throw .invalidPublicKey("key type \(type) names curve \(curveName)")
            }
            let point = Array(try reader.readString("curve point"))
            guard curve.isValidPoint(point) else {
                throw .invalidPublicKey("the \(curve.name) point is not an uncompressed point on the curve")
            }
            material = .ecdsa(curve, point)
        case "ssh-rsa":
            let e = try reader.readMPInt("RSA exponent")
            let n = try reader.readMPInt("RSA modulus")
            let bits = bitLength(n)
            guard bits >= 2048 else { throw .rsaKeyTooSmall(bits: bits) }
            guard (try? _RSA.Signing.PublicKey(n: n, e: e)) != nil else {
                throw .invalidPublicKey("the RSA exponent or modulus is invalid")
            }
            material = .rsa(e: e, n: n)
        default:
            throw .unsupportedKeyType(type)
        }
        guard reader.isAtEnd else { throw .trailingData("public key") }
        self.type = type
        self.material = material
        self.wireBlob = material.canonicalBlob(type: type)
    }

    /// Reads `TYPE BASE64 [COMMENT]`, the key part of an authorized_keys or `.pub` line
    /// (leading blanks allowed, no options). The type must agree with the encoded key.
    public init(authorizedKeysLine line: String) throws(SignatureError) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).prefix(2)
        guard fields.count == 2 else {
            throw .invalidPublicKey("expected \"TYPE BASE64 [COMMENT]\", found \"\(line.prefix(40))\"")
        }
        try self.init(type: String(fields[fields.startIndex]), base64: String(fields[fields.startIndex + 1]))
    }

    /// Reads a key from its type name and its base64 wire encoding.
    public init(type: String, base64: String) throws(SignatureError) {
        guard Self.isKeyTypeName(type) else {
            throw .invalidPublicKey("unknown key type \"\(type.prefix(40))\"")
        }
        guard Self.supportedTypes.contains(type) else { throw .unsupportedKeyType(type) }
        guard let data = Data(base64Encoded: base64) else {
            throw .invalidPublicKey("the \(type) key is not valid base64")
        }
        try self.init(wireBlob: Array(data))
        guard self.type == type else {
            throw .invalidPublicKey("the line says \(type) but the key is \(self.type)")
        }
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    public var fingerprint: String {
        let digest = SHA256.hash(data: wireBlob)
        var text = Data(digest).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return "SHA256:" + text
    }

    /// `TYPE BASE64`, as in authorized_keys and allowed_signers.
    public var authorizedKeysText: String { "\(type) \(Data(wireBlob).base64EncodedString())" }

    public var description: String { "\(type) \(fingerprint)" }

    public static func == (a: SSHPublicKey, b: SSHPublicKey) -> Bool { a.wireBlob == b.wireBlob }
    public func hash(into hasher: inout Hasher) { hasher.combine(wireBlob) }
}

/// The numbers of a public key, validated.
enum KeyMaterial: Sendable {
    case ed25519([UInt8])
    case ecdsa(ECDSACurve, [UInt8])
    /// Minimal big-endian magnitudes.
    case rsa(e: [UInt8], n: [UInt8])

    func canonicalBlob(type: String) -> [UInt8] {
        var out = WireWriter()
        out.string(Array(type.utf8))
        switch self {
        case .ed25519(let point):
            out.string(point)
        case .ecdsa(let curve, let point):
            out.string(Array(curve.name.utf8))
            out.string(point)
        case .rsa(let e, let n):
            out.mpint(e)
            out.mpint(n)
        }
        return out.bytes
    }
}

enum ECDSACurve: Sendable, Hashable {
    case p256, p384, p521

    init?(keyType: String) {
        switch keyType {
        case "ecdsa-sha2-nistp256": self = .p256
        case "ecdsa-sha2-nistp384": self = .p384
        case "ecdsa-sha2-nistp521": self = .p521
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .p256: "nistp256"
        case .p384: "nistp384"
        case .p521: "nistp521"
        }
    }

    var coordinateBytes: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }

    func isValidPoint(_ point: [UInt8]) -> Bool {
        guard point.count == 1 + 2 * coordinateBytes, point.first == 0x04 else { return false }
        switch self {
        case .p256: return (try? P256.Signing.PublicKey(x963Representation: point)) != nil
        case .p384: return (try? P384.Signing.PublicKey(x963Representation: point)) != nil
        case .p521: return (try? P521.Signing.PublicKey(x963Representation: point)) != nil
        }
    }

    /// Verifies an ECDSA signature (r and s as minimal magnitudes) over `data`, hashed with
    /// the curve's hash (SHA-256, SHA-384, SHA-512) as RFC 5656 §6.2.1 specifies.
    func verify(point: [UInt8], r: [UInt8], s: [UInt8], data: [UInt8]) -> Bool {
        guard r.count <= coordinateBytes, s.count <= coordinateBytes else { return false }
        let raw =
            [UInt8](repeating: 0, count: coordinateBytes - r.count) + r
            + [UInt8](repeating: 0, count: coordinateBytes - s.count) + s
        switch self {
        case .p256:
            guard let key = try? P256.Signing.PublicKey(x963Representation: point),
                let signature = try? P256.Signing.ECDSASignature(rawRepresentation: raw)
            else { return false }
            return key.isValidSignature(signature, for: data)
        case .p384:
            guard let key = try? P384.Signing.PublicKey(x963Representation: point),
                let signature = try? P384.Signing.ECDSASignature(rawRepresentation: raw)
            else { return false }
            return key.isValidSignature(signature, for: data)
        case .p521:
            guard let key = try? P521.Signing.PublicKey(x963Representation: point),
                let signature = try? P521.Signing.ECDSASignature(rawRepresentation: raw)
            else { return false }
            return key.isValidSignature(signature, for: data)
        }
    }
}

/// The number of significant bits of a minimal big-endian magnitude.
func bitLength(_ magnitude: [UInt8]) -> Int {
    guard let first = magnitude.first else { return 0 }
    return (magnitude.count - 1) * 8 + (8 - first.leadingZeroBitCount)
}

// MARK: - Signatures

/// An OpenSSH SSHSIG signature (`ssh-keygen -Y sign`), parsed but not yet verified.
///
/// Parsing checks the structure: magic, version 1, a supported key, a non-empty namespace,
/// a sha256 or sha512 message hash, a signature algorithm that belongs to the key, and no
/// trailing bytes anywhere. ``verify(message:namespace:)`` then checks the namespace and
/// the cryptography. Who the key belongs to is a separate question: see ``AllowedSigners``.
public struct SSHSignature: Sendable, Hashable {
    public enum HashAlgorithm: String, Sendable, Hashable {
        case sha256, sha512
    }

    /// The key that made the signature, as the signature states it.
    public var publicKey: SSHPublicKey
    /// The namespace the signer chose (`ssh-keygen -Y sign -n NAMESPACE`).
    public var namespace: String
    /// How the message was hashed before signing.
    public var hashAlgorithm: HashAlgorithm
    /// The signature algorithm: the key type, or for RSA `rsa-sha2-256`/`rsa-sha2-512`.
    public var signatureAlgorithm: String
    /// The decoded SSHSIG blob.
    public var blob: [UInt8]
    /// The algorithm-specific signature bytes (ed25519: 64 bytes; ECDSA: mpint r, mpint s;
    /// RSA: the PKCS#1 v1.5 signature).
    var rawSignature: [UInt8]

    /// The namespace git signs commits and tags in (`git commit -S` with `gpg.format ssh`).
    public static let gitNamespace = "git"

    static let beginLine = "-----BEGIN SSH SIGNATURE-----"
    static let endLine = "-----END SSH SIGNATURE-----"
    static let magic = Array("SSHSIG".utf8)

    /// Parses `-----BEGIN SSH SIGNATURE-----`, base64 lines, `-----END SSH SIGNATURE-----`,
    /// as `ssh-keygen -Y sign` writes it (a final newline is optional). Lines end in LF only.
    public static func parse(armored text: String) throws(SignatureError) -> SSHSignature {
        if text.utf8.contains(0x0D) { throw .notArmored("it contains a carriage return (CR)") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard lines.first == Substring(beginLine) else {
            throw .notArmored("it does not start with \(beginLine)")
        }
        guard lines.count >= 2, lines.last == Substring(endLine) else {
            throw .notArmored("it does not end with \(endLine)")
        }
        let body = lines.dropFirst().dropLast()
        guard !body.isEmpty else { throw .notArmored("there is nothing between its first and last lines") }
        var base64 = ""
        for line in body {
            guard !line.isEmpty, line.utf8.allSatisfy(isBase64Byte) else { throw .invalidBase64 }
            base64 += line
        }
        guard let data = Data(base64Encoded: base64) else { throw .invalidBase64 }
        return try SSHSignature(blob: Array(data))
    }

    /// Parses a decoded SSHSIG blob.
    public init(blob: [UInt8]) throws(SignatureError) {
        var reader = WireReader(blob, what: "signature")
        guard blob.starts(with: Self.magic) else { throw .notSSHSIG }
        reader.skip(Self.magic.count)
        let version = try reader.readUInt32("version")
        guard version == 1 else { throw .unsupportedVersion(version) }
        let keyBlob = Array(try reader.readString("public key"))
        let namespace = try reader.readUTF8String("namespace")
        _ = try reader.readString("reserved field")
        let hashName = try reader.readUTF8String("hash algorithm")
        let signatureField = Array(try reader.readString("signature"))
        guard reader.isAtEnd else { throw .trailingData("signature blob") }

        guard !namespace.isEmpty else { throw .emptyNamespace }
        guard let hashAlgorithm = HashAlgorithm(rawValue: hashName) else {
            throw .unsupportedHashAlgorithm(hashName)
        }
        let publicKey = try SSHPublicKey(wireBlob: keyBlob)

        var inner = WireReader(signatureField, what: "signature")
        let algorithm = try inner.readUTF8String("signature algorithm")
        let raw = Array(try inner.readString("signature value"))
        guard inner.isAtEnd else { throw .trailingData("signature value") }

        switch publicKey.material {
        case .rsa(_, let n):
            if algorithm == "ssh-rsa" { throw .insecureSignatureAlgorithm(algorithm) }
            guard algorithm == "rsa-sha2-256" || algorithm == "rsa-sha2-512" else {
                throw .signatureAlgorithmMismatch(keyType: publicKey.type, signatureAlgorithm: algorithm)
            }
            guard raw.count <= n.count else {
                throw .malformed("the RSA signature is longer than the key's modulus")
            }
        case .ed25519:
            guard algorithm == publicKey.type else {
                throw .signatureAlgorithmMismatch(keyType: publicKey.type, signatureAlgorithm: algorithm)
            }
            guard raw.count == 64 else { throw .malformed("an ed25519 signature has 64 bytes, this one \(raw.count)") }
        case .ecdsa(let curve, _):
            guard algorithm == publicKey.type else {
                throw .signatureAlgorithmMismatch(keyType: publicKey.type, signatureAlgorithm: algorithm)
            }
            var numbers = WireReader(raw, what: "signature")
            let r = try numbers.readMPInt("ECDSA r")
            let s = try numbers.readMPInt("ECDSA s")
            guard numbers.isAtEnd else { throw .trailingData("ECDSA signature") }
            guard !r.isEmpty, !s.isEmpty, r.count <= curve.coordinateBytes, s.count <= curve.coordinateBytes else {
                throw .malformed("the ECDSA signature numbers are out of range for \(curve.name)")
            }
        }

        self.publicKey = publicKey
        self.namespace = namespace
        self.hashAlgorithm = hashAlgorithm
        self.signatureAlgorithm = algorithm
        self.blob = blob
        self.rawSignature = raw
    }

    /// The armored text, as `ssh-keygen -Y sign` writes it: 70 base64 characters a line,
    /// each line ending in LF.
    public var armored: String {
        let base64 = Data(blob).base64EncodedString()
        var out = Self.beginLine + "\n"
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: 70, limitedBy: base64.endIndex) ?? base64.endIndex
            out += base64[index..<end] + "\n"
            index = end
        }
        return out + Self.endLine + "\n"
    }

    /// Checks that this signature was made over `message` in `namespace` by the key it
    /// carries. A signature for any other namespace (a git commit signature has `git`) fails.
    public func verify(message: [UInt8], namespace expected: String) throws(SignatureError) {
        guard !expected.isEmpty else { throw .emptyNamespace }
        guard namespace == expected else { throw .namespaceMismatch(expected: expected, found: namespace) }
        let digest: [UInt8] =
            switch hashAlgorithm {
            case .sha256: Array(SHA256.hash(data: message))
            case .sha512: Array(SHA512.hash(data: message))
            }
        // PROTOCOL.sshsig §3, built from the namespace the caller expects (as OpenSSH does),
        // so the cryptography itself binds the namespace. The reserved field is signed
        // empty whatever the blob holds ("implementations should ignore the reserved field").
        var signed = WireWriter()
        signed.raw(Self.magic)
        signed.string(Array(expected.utf8))
        signed.string([])
        signed.string(Array(hashAlgorithm.rawValue.utf8))
        signed.string(digest)
        guard checkSignature(over: signed.bytes) else {
            throw .invalidSignature(fingerprint: publicKey.fingerprint)
        }
    }

    /// Like ``verify(message:namespace:)``, and also requires the signature to carry `key`.
    public func verify(message: [UInt8], namespace: String, signedBy key: SSHPublicKey) throws(SignatureError) {
        guard publicKey == key else { throw .keyMismatch(expected: key.fingerprint, found: publicKey.fingerprint) }
        try verify(message: message, namespace: namespace)
    }

    private func checkSignature(over data: [UInt8]) -> Bool {
        switch publicKey.material {
        case .ed25519(let point):
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: point) else { return false }
            return key.isValidSignature(rawSignature, for: data)
        case .ecdsa(let curve, let point):
            var numbers = WireReader(rawSignature, what: "signature")
            guard let r = try? numbers.readMPInt("ECDSA r"), let s = try? numbers.readMPInt("ECDSA s") else {
                return false
            }
            return curve.verify(point: point, r: r, s: s, data: data)
        case .rsa(let e, let n):
            guard let key = try? _RSA.Signing.PublicKey(n: n, e: e) else { return false }
            let padded = [UInt8](repeating: 0, count: n.count - rawSignature.count) + rawSignature
            let signature = _RSA.Signing.RSASignature(rawRepresentation: padded)
            switch signatureAlgorithm {
            case "rsa-sha2-256":
                return key.isValidSignature(signature, for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
            case "rsa-sha2-512":
                return key.isValidSignature(signature, for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5)
            default:
                return false
            }
        }
    }
}

private func isBase64Byte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
        return true
    default:
        return false
    }
}

// MARK: - SSH wire format

/// Reads RFC 4251 §5 data types, throwing `SignatureError.malformed` on truncation.
struct WireReader {
    private let bytes: [UInt8]
    private var offset = 0
    private let what: String

    init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func skip(_ count: Int) { offset += count }

    mutating func readUInt32(_ field: String) throws(SignatureError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw .malformed("the \(what) ends before its \(field)") }
        var value: UInt32 = 0
        for byte in bytes[offset..<offset + 4] { value = value << 8 | UInt32(byte) }
        offset += 4
        return value
    }

    mutating func readString(_ field: String) throws(SignatureError) -> ArraySlice<UInt8> {
        let length = Int(try readUInt32(field))
        guard bytes.count - offset >= length else { throw .malformed("the \(what)'s \(field) is truncated") }
        defer { offset += length }
        return bytes[offset..<offset + length]
    }

    mutating func readUTF8String(_ field: String) throws(SignatureError) -> String {
        let raw = try readString(field)
        guard let text = String(validating: raw, as: UTF8.self), !raw.contains(0) else {
            throw .malformed("the \(what)'s \(field) is not text")
        }
        return text
    }

    /// An mpint as a minimal big-endian magnitude; negative numbers are refused.
    mutating func readMPInt(_ field: String) throws(SignatureError) -> [UInt8] {
        let raw = try readString(field)
        if let first = raw.first, first & 0x80 != 0 { throw .malformed("the \(what)'s \(field) is negative") }
        return Array(raw.drop(while: { $0 == 0 }))
    }
}

/// Writes RFC 4251 §5 data types.
struct WireWriter {
    var bytes: [UInt8] = []

    mutating func raw(_ data: [UInt8]) { bytes += data }

    mutating func uint32(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    mutating func string(_ data: [UInt8]) {
        uint32(UInt32(data.count))
        bytes += data
    }

    /// An mpint from a non-negative big-endian magnitude.
    mutating func mpint(_ magnitude: [UInt8]) {
        let trimmed = Array(magnitude.drop(while: { $0 == 0 }))
        string(trimmed.first.map { $0 & 0x80 != 0 } == true ? [0] + trimmed : trimmed)
    }
}
