namespace Gateway.Protocols;

/// <summary>
/// Why a CONNECT head was refused. Every reason answers <c>400 Bad Request</c> except
/// <see cref="HeadTooLarge"/> (<c>431 Request Header Fields Too Large</c>); the reason goes to
/// the audit log and the <c>errors_total{kind}</c> metric, never to the client.
/// </summary>
internal enum ConnectRejection
{
    /// <summary>Not rejected.</summary>
    None,

    /// <summary>No end of head (CRLFCRLF) within <see cref="ConnectRequestReader.MaxHeadSize"/> bytes.</summary>
    HeadTooLarge,

    /// <summary>
    /// The request line is not <c>CONNECT SP authority SP version CRLF</c>: a method that is
    /// CONNECT in another case, a bare LF or a stray CR, a control byte (NUL, HT …), or a
    /// missing or extra space.
    /// </summary>
    MalformedRequestLine,

    /// <summary>A version other than <c>HTTP/1.1</c> or <c>HTTP/1.0</c>.</summary>
    UnsupportedVersion,

    /// <summary>
    /// The request-target cannot be an authority (RFC 9112 §3.2.3): empty or longer than
    /// <see cref="ConnectHead.MaxHostLength"/>, a path, query or fragment, an unbracketed ':',
    /// an unterminated '[', or a byte outside RFC 3986 reg-name / IP-literal syntax.
    /// </summary>
    InvalidAuthority,

    /// <summary>The authority carries userinfo (<c>user@host</c>), which RFC 9110 §4.2.4 forbids in HTTP.</summary>
    UserinfoInAuthority,

    /// <summary>The port is missing, empty, not 1–65535, not all digits, or has a leading zero.</summary>
    InvalidPort,

    /// <summary>
    /// A header line that is not <c>token ":" OWS value OWS CRLF</c>: a bare LF, obs-fold
    /// (RFC 9112 §5.2), no colon, a name that is not a token or is followed by whitespace
    /// (RFC 9112 §5.1), a control byte in the value, or a Proxy-Authorization longer than
    /// <see cref="ConnectHead.MaxProxyAuthorizationLength"/>.
    /// </summary>
    MalformedHeader,

    /// <summary>More than one Host header (RFC 9112 §3.2).</summary>
    DuplicateHost,

    /// <summary>The Host header names another host or port than the request-target.</summary>
    ConflictingHost,

    /// <summary>More than one Proxy-Authorization header: which credential counts would be a guess.</summary>
    DuplicateProxyAuthorization,

    /// <summary>
    /// Transfer-Encoding, or a Content-Length other than 0: a CONNECT request has no content
    /// (RFC 9110 §9.3.6), and bytes after the head are tunnel data, never a body.
    /// </summary>
    ContentNotAllowed,
}
