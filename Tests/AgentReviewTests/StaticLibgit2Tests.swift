@testable import AgentReviewGit
import AgentReviewTestSupport
import Foundation
import Testing

/// Where libgit2 is linked from the distribution's static archives (`Package.swift`'s
/// `staticLibgit2`), the binary loads none of its shared libraries, and libgit2's network
/// set-up is replaced (`AgentReviewGit/NoNetwork.swift`): no CA bundle read at each start,
/// no GSSAPI, no SSH (and so no OpenSSL); and a line count's buffers are not hashed again (`AgentReviewGit/KnownBlobs.swift`).
/// Elsewhere (libgit2 as a shared library) there is little to check here.
@Suite struct StaticLibgit2Tests {
    /// The shared libraries the binary loads, as the real `ldd` lists them.
    static let loaded: String = (try? Sandbox.run("/usr/bin/ldd", [Sandbox.binary.path], in: Sandbox.binary.deletingLastPathComponent()).stdout) ?? ""
    static let linkedIn = !loaded.isEmpty && !loaded.contains("libgit2")
    static let nm = ["/usr/bin/nm", "/bin/nm"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let strace = ["/usr/bin/strace", "/bin/strace"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: linkedIn)) func noSharedLibraryOfLibgit2sIsLoaded() {
        for library in ["libgit2", "libgssapi", "libkrb5", "libmbed", "libssh2", "libhttp_parser", "libpcre2"] {
            #expect(!Self.loaded.contains(library), "\(library) in:\n\(Self.loaded)")
        }
        #expect(Self.loaded.contains("libc.so"))
    }

    /// libgit2's SSH transport is replaced by a refusal, so neither libssh2 nor the OpenSSL
    /// it needs is linked in (their relocations and `libssh2_init`'s start of OpenSSL were a
    /// tenth of a 1-commit hook): the real `nm` finds the refusal and none of theirs.
    @Test(.enabled(if: linkedIn && nm != nil)) func neitherLibssh2NorOpenSSLIsLinkedIn() throws {
        let symbols = try Sandbox.run(Self.nm!, [Sandbox.binary.path], in: Sandbox.binary.deletingLastPathComponent()).stdout
        #expect(symbols.contains("__wrap_git_smart_subtransport_ssh"))
        #expect(symbols.contains("git_repository_open"))
        for symbol in ["libssh2_session_init_ex", "libssh2_init", "OPENSSL_init_crypto", "EVP_MD_CTX_new"] {
            #expect(!symbols.contains(" \(symbol)\n"), "\(symbol) is linked in")
        }
        // The refusal sets libgit2's error, which needs libgit2 initialised: called before any
        // test had opened a repository in this process, it crashed the test run.
        _ = libgit2Initialised
        #expect(agentreviewRefuseSSH(nil, nil, nil) == -1)
    }

    /// While a line count runs, libgit2's hash of exactly its buffer, on its thread, is answered
    /// with the id it was registered with (made up here, to be seen); a copy of the same bytes
    /// elsewhere, the same buffer on another thread, and anything after, are hashed as git does.
    @Test func aLineCountsBuffersAreAnsweredWithTheirIDsOnItsThreadOnly() throws {
        #expect(KnownBlobs.answersLibgit2 == Self.linkedIn)
        let sandbox = try Sandbox()
        let path = try sandbox.repository().path
        let repository = try Repository(path: path)
        let bytes = Array("one\ntwo\n".utf8)
        let real = try repository.blobID(of: bytes)
        #expect(real.description == (try Sandbox.run("/bin/sh", ["-c", "printf 'one\\ntwo\\n' | git hash-object --stdin"], in: sandbox.root).stdout)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        var copy = bytes
        copy.append(0)
        copy.removeLast()
        let madeUp = ObjectID(hex: String(repeating: "ab", count: 20))!
        final class Answer: @unchecked Sendable { var id: ObjectID? }
        let elsewhere = Answer()
        try bytes.withUnsafeBytes { buffer throws in
            try KnownBlobs.with([(buffer.baseAddress, buffer.count, madeUp)]) { () throws in
                #expect(try repository.blobID(of: bytes) == (Self.linkedIn ? madeUp : real))
                #expect(try repository.blobID(of: copy) == real)
                let done = DispatchSemaphore(value: 0)
                let thread = Thread {
                    elsewhere.id = try? Repository(path: path).blobID(of: bytes)
                    done.signal()
                }
                thread.start()
                done.wait()
            }
        }
        #expect(elsewhere.id == real)
        #expect(try repository.blobID(of: bytes) == real)
    }

    /// Judging a commit opens the repository through libgit2 (`git_libgit2_init`), whose own
    /// TLS set-up would read the system's CA bundle: traced with the real strace, it is not.
    @Test(.enabled(if: linkedIn && strace != nil)) func theCABundleIsNeverRead() throws {
        let sandbox = try Sandbox()
        let (repository, _) = try sandbox.repositoryWithPolicy()
        try sandbox.write("src/a.txt", "a\n", in: repository)
        try sandbox.commit("a change", in: repository)
        let traced = try Sandbox.run(
            Self.strace!, ["-f", "-e", "trace=openat,open,stat,newfstatat,access", Sandbox.binary.path, "status", "--json"], in: repository)
        #expect(traced.stdout.contains("\"commits\""), "\(traced.stdout)")
        // The trace sees the files libgit2 opens: the repository's own.
        #expect(traced.stderr.contains(".git/HEAD"), "\(traced.stderr.suffix(2000))")
        #expect(!traced.stderr.contains("ca-certificates") && !traced.stderr.contains("/etc/ssl"), "\(traced.stderr)")
    }
}
