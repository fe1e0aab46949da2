namespace Gateway.Dialing;

/// <summary>REP of a CONNECT reply (RFC 1928 §6); 9-255 are unassigned.</summary>
internal enum Socks5ReplyCode : byte
{
    /// <summary>X'00' succeeded.</summary>
    Succeeded = 0,

    /// <summary>X'01' general SOCKS server failure.</summary>
    GeneralFailure = 1,

    /// <summary>X'02' connection not allowed by ruleset.</summary>
    NotAllowed = 2,

    /// <summary>X'03' network unreachable.</summary>
    NetworkUnreachable = 3,

    /// <summary>X'04' host unreachable (Dante also says this for a name it cannot resolve).</summary>
    HostUnreachable = 4,

    /// <summary>X'05' connection refused.</summary>
    ConnectionRefused = 5,

    /// <summary>X'06' TTL expired.</summary>
    TtlExpired = 6,

    /// <summary>X'07' command not supported.</summary>
    CommandNotSupported = 7,

    /// <summary>X'08' address type not supported.</summary>
    AddressTypeNotSupported = 8,
}
