namespace Gateway.Dialing;

/// <summary>Why a proxy's frame was malformed.</summary>
internal enum Socks5Rejection : byte
{
    /// <summary>Not rejected.</summary>
    None,

    /// <summary>VER is not 5 (RFC 1928): not a SOCKS5 server, or an HTTP proxy at that address.</summary>
    WrongVersion,

    /// <summary>The RFC 1929 status does not start with VER 1.</summary>
    WrongAuthVersion,

    /// <summary>ATYP is none of IPv4 (1), domain (3), IPv6 (4).</summary>
    UnknownAddressType,

    /// <summary>A domain-name bound address of length 0.</summary>
    EmptyDomainName,
}
