namespace PolicyCompiler.Hosts;

/// <summary>What a canonical host turned out to be.</summary>
public enum HostKind : byte
{
    /// <summary>A DNS name (LDH labels, punycode for IDN).</summary>
    Name,

    /// <summary>An IPv4 literal in strict dotted-quad form (IPv4-mapped IPv6 is folded here too).</summary>
    IPv4,

    /// <summary>An IPv6 literal.</summary>
    IPv6,
}
