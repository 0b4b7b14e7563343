// STUB: to be replaced by the trailers helper.

public struct Trailer: Sendable, Hashable, Codable, CustomStringConvertible {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
    public var description: String { "\(key): \(value)" }
}

public enum Trailers {
    /// The trailers of a commit message, by git's rules (`git interpret-trailers --parse`).
    public static func parse(_ message: String) -> [Trailer] { [] }
}
