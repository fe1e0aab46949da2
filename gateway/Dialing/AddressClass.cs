namespace Gateway.Dialing;

/// <summary>
/// What a resolved address is, as far as leaving the host goes. Only <see cref="Public"/> is
/// dialled without an explicit opening (security invariant 5); everything else names the
/// reason it was refused.
/// </summary>
internal enum AddressClass : byte
{
    /// <summary>Globally routable unicast.</summary>
    Public,

    /// <summary>0.0.0.0/8 and <c>::</c>. On Linux a connect to them reaches the local host.</summary>
    Unspecified,

    /// <summary>127.0.0.0/8 and <c>::1</c>: services on the gateway's own host.</summary>
    Loopback,

    /// <summary>RFC 1918 (10/8, 172.16/12, 192.168/16), unique-local fc00::/7 and the deprecated site-local fec0::/10.</summary>
    Private,

    /// <summary>169.254.0.0/16 and fe80::/10.</summary>
    LinkLocal,

    /// <summary>Shared address space 100.64.0.0/10 (RFC 6598), the provider's side of a carrier NAT.</summary>
    CarrierGradeNat,

    /// <summary>224.0.0.0/4 and ff00::/8: never a TCP destination.</summary>
    Multicast,

    /// <summary>
    /// A cloud instance metadata service (169.254.169.254, 169.254.170.2, 169.254.170.23,
    /// 100.100.100.200, 192.0.0.192, fd00:ec2::254, fd00:ec2::23): the classic SSRF target,
    /// since it hands out the host's cloud credentials.
    /// </summary>
    Metadata,

    /// <summary>255.255.255.255: never a TCP destination.</summary>
    Broadcast,

    /// <summary>
    /// Special-purpose ranges that are not globally routable: 192.0.0.0/24, documentation
    /// (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20), benchmarking
    /// (198.18/15, 2001:2::/48), 192.88.99/24, 240/4, 2001::/23 outside Teredo, everything
    /// outside 2000::/3 that has no class of its own, and IPv6 forms whose embedded IPv4 is
    /// public but whose use is deprecated or ambiguous (IPv4-compatible, 64:ff9b:1::/48).
    /// </summary>
    Reserved,

    /// <summary>
    /// One of the gateway's own listeners (forward, transparent, metrics, DNS): a tunnel there
    /// loops, and its inner connection, coming from loopback, would pass as the sandbox <c>host</c>.
    /// </summary>
    Gateway,
}
