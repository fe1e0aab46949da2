namespace Gateway.Protocols;

/// <summary>
/// Why the first bytes of a transparent TLS connection were refused. The reason goes to the
/// audit log and to one counter per value (as Envoy's <c>tls_inspector</c> counts each
/// outcome), never to the client, which only sees an alert or a close.
/// </summary>
internal enum ClientHelloRejection
{
    /// <summary>Not rejected.</summary>
    None,

    /// <summary>
    /// The first record is not a TLS handshake record: its content type is not 22 or its
    /// major version is not 3. Another protocol, or TLS that does not start with a handshake.
    /// </summary>
    NotTls,

    /// <summary>An SSL 2.0-compatible ClientHello (first byte with the high bit set, RFC 6101 appendix E.2).</summary>
    SslV2,

    /// <summary>A record version or ClientHello <c>legacy_version</c> below TLS 1.0 (0x0301): SSL 3.0 and older.</summary>
    UnsupportedVersion,

    /// <summary>A handshake record whose first message is not <c>client_hello</c> (type 1).</summary>
    NotClientHello,

    /// <summary>
    /// Framing that does not add up (RFC 8446 §4.1.2, §5.1): a record of length 0 or over
    /// 2^14, another record type inside the hello, a session id over 32 bytes, an odd or
    /// empty cipher suite list, no compression method, an extensions block or extension whose
    /// length disagrees with what is there, an empty or broken server_name or ALPN list.
    /// </summary>
    Malformed,

    /// <summary>The hello's records would take more than <see cref="ClientHelloReader.MaxHelloSize"/> bytes.</summary>
    TooLarge,

    /// <summary>No server_name extension (or no extensions at all): there is nothing to decide on.</summary>
    NoServerName,

    /// <summary>Two server_name extensions, or a server_name list with more than one entry: which one counts would be a guess.</summary>
    MultipleServerNames,

    /// <summary>
    /// The one server name is empty, longer than <see cref="ClientHello.MaxServerNameLength"/>,
    /// of a name type other than <c>host_name</c> (0), or holds a control byte, DEL or a byte
    /// outside ASCII (RFC 6066 §3: an ASCII host name).
    /// </summary>
    BadServerName,
}
