namespace PolicyCompiler.Hosts;

/// <summary>Why a host was refused by <see cref="HostCanonicalizer"/>.</summary>
public enum HostError : byte
{
    /// <summary>The host is valid.</summary>
    None,

    /// <summary>Nothing to look up.</summary>
    Empty,

    /// <summary>Longer than 253 characters once canonical (RFC 1035 §2.3.4).</summary>
    TooLong,

    /// <summary>Two dots in a row, a leading dot, or more than one trailing dot.</summary>
    EmptyLabel,

    /// <summary>A label longer than 63 characters (RFC 1035 §2.3.4).</summary>
    LabelTooLong,

    /// <summary>A byte that no host name may carry: whitespace, control, '/', '@', '%' and the like.</summary>
    InvalidCharacter,

    /// <summary>A label that starts or ends with '-' (RFC 952, RFC 1123 §2.1).</summary>
    HyphenAtLabelEdge,

    /// <summary>Looks numeric but is not a strict dotted quad: decimal, octal, hex or short forms.</summary>
    NonCanonicalIPv4,

    /// <summary>A malformed IPv6 literal, or one with a zone id.</summary>
    InvalidIPv6,

    /// <summary>Non-ASCII input that is not valid UTF-8 or fails UTS 46 processing.</summary>
    InvalidIdn,
}
