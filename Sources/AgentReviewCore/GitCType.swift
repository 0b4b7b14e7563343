#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// git's byte classes and the bytes patterns give meaning to, for `Wildmatch`, the
/// pattern lexer and the path and ref patterns.
extension UInt8 {
    static let nul: UInt8 = 0
    static let slash = UInt8(ascii: "/")
    static let backslash = UInt8(ascii: "\\")
    static let star = UInt8(ascii: "*")
    static let question = UInt8(ascii: "?")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let bang = UInt8(ascii: "!")
    static let caret = UInt8(ascii: "^")
    static let dash = UInt8(ascii: "-")
    static let colon = UInt8(ascii: ":")
    static let space = UInt8(ascii: " ")
    static let dot = UInt8(ascii: ".")
    static let hash = UInt8(ascii: "#")
    static let tilde = UInt8(ascii: "~")

    // git's own ctype (ctype.c), which is ASCII-only and differs from C's in places
    // (`isspace` is only space, \t, \n and \r).
    var isUpper: Bool { self >= 0x41 && self <= 0x5A }
    var isLower: Bool { self >= 0x61 && self <= 0x7A }
    var isAlpha: Bool { isUpper || isLower }
    var isDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isAlnum: Bool { isAlpha || isDigit }
    var isXDigit: Bool { isDigit || (self | 0x20 >= 0x61 && self | 0x20 <= 0x66) }
    var isPrint: Bool { self >= 0x20 && self <= 0x7E }
    var isGraph: Bool { self >= 0x21 && self <= 0x7E }
    var isPunct: Bool { isGraph && !isAlnum }
    var isBlank: Bool { self == 0x20 || self == 0x09 }
    var isSpace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
    var isCntrl: Bool { self < 0x20 || self == 0x7F }
    var isGlobSpecial: Bool { self == .star || self == .question || self == .openBracket || self == .backslash }
    var lowered: UInt8 { isUpper ? self | 0x20 : self }
    var uppered: UInt8 { isLower ? self & ~0x20 : self }
}
