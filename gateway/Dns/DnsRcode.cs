namespace Gateway.Dns;

/// <summary>Response codes the resolver sends (RFC 1035 §4.1.1; BADVERS from RFC 6891 §9, 12 bits with EDNS).</summary>
internal enum DnsRcode : ushort
{
    /// <summary>An answer, or none for an allowed name without an address of that family.</summary>
    NoError = 0,

    /// <summary>The query was malformed.</summary>
    FormErr = 1,

    /// <summary>An OPCODE other than QUERY.</summary>
    NxDomain = 3,

    NotImp = 4,

    /// <summary>Policy: the name is blocked, the type is not served, or the source is no sandbox.</summary>
    Refused = 5,

    /// <summary>An EDNS version other than 0 (extended RCODE, needs an OPT record in the answer).</summary>
    BadVers = 16,
}
