internal import Clibgit2

// Where libgit2 is linked statically (Package.swift, `staticLibgit2`), the linker's `--wrap`
// sends libgit2's calls to some of its network functions here. agentreview never talks to
// a network through libgit2: it reads repositories on disk, and `ci` fetches with the git
// binary. libgit2 sets TLS up in `git_libgit2_init`, reading and parsing every certificate
// of the system's CA bundle, which was a sixth of what a 1-commit pre-receive hook cost:
// here the set-up does nothing, and anything that would open a TLS stream gets a clear
// error instead of a stream configured by nothing. HTTP's Kerberos (negotiate)
// authentication is the only user of GSSAPI, whose five shared libraries every start
// would load: here it is not offered, as in a libgit2 built without GSSAPI. SSH is refused
// as in a libgit2 built without libssh2, which it is in effect: libssh2 and the OpenSSL it
// needs are left out of the binary.
// With a shared libgit2 none of these is called.

/// libgit2's TLS set-up at `git_libgit2_init`: nothing to do.
@_cdecl("__wrap_git_mbedtls_stream_global_init")
public func agentreviewSkipTLSSetUp() -> Int32 { 0 }

/// A TLS stream to a host: refused.
@_cdecl("__wrap_git_mbedtls_stream_new")
public func agentreviewRefuseTLSStream(_ out: OpaquePointer?, _ host: UnsafePointer<CChar>?, _ port: UnsafePointer<CChar>?) -> Int32 {
    refuseTLS()
}

/// TLS over an existing stream (through a proxy): refused.
@_cdecl("__wrap_git_mbedtls_stream_wrap")
public func agentreviewRefuseTLSWrap(_ out: OpaquePointer?, _ stream: OpaquePointer?, _ host: UnsafePointer<CChar>?) -> Int32 {
    refuseTLS()
}

/// Certificate locations (`GIT_OPT_SET_SSL_CERT_LOCATIONS`): refused.
@_cdecl("__wrap_git_mbedtls__set_cert_location")
public func agentreviewRefuseCertificates(_ file: UnsafePointer<CChar>?, _ path: UnsafePointer<CChar>?) -> Int32 {
    refuseTLS()
}

private func refuseTLS() -> Int32 {
    git_error_set_str(Int32(GIT_ERROR_SSL.rawValue), "agentreview does not use TLS through libgit2; fetch with the git binary")
    return -1
}

/// HTTP's negotiate authentication: not offered, as libgit2 answers when built without
/// GSSAPI (`git_http_auth_dummy`: no context, `GIT_PASSTHROUGH`).
@_cdecl("__wrap_git_http_auth_negotiate")
public func agentreviewNoNegotiate(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ url: OpaquePointer?) -> Int32 {
    out?.pointee = nil
    return GIT_PASSTHROUGH.rawValue
}

/// libgit2's SSH set-up at `git_libgit2_init` (`libssh2_init`, which starts OpenSSL):
/// nothing to do.
@_cdecl("__wrap_git_transport_ssh_global_init")
public func agentreviewSkipSSHSetUp() -> Int32 { 0 }

/// An SSH transport to a remote: refused, as a libgit2 built without libssh2 refuses it.
@_cdecl("__wrap_git_smart_subtransport_ssh")
public func agentreviewRefuseSSH(_ out: OpaquePointer?, _ owner: OpaquePointer?, _ param: UnsafeMutableRawPointer?) -> Int32 {
    git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "agentreview does not use SSH through libgit2; fetch with the git binary")
    return -1
}
