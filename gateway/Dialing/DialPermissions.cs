using System.Buffers.Binary;
using System.Net;
using PolicyCompiler.Compilation;
using PolicyCompiler.Hosts;
using PolicyCompiler.Patterns;

namespace Gateway.Dialing;

/// <summary>
/// What the deciding rule opens beyond public addresses (security invariant 5): a rule that
/// names an exact IP literal opens that address, a rule that names <c>localhost</c> opens
/// loopback. Nothing else does; in particular <c>**</c> opens nothing.
/// </summary>
internal readonly struct DialPermissions
{
    /// <summary>Creates permissions; prefer <see cref="FromDecision"/>.</summary>
    /// <param name="exactAddressRule">The IP literal the deciding rule named, or null.</param>
    /// <param name="localhostRule">True when the deciding rule named <c>localhost</c>.</param>
    public DialPermissions(IPAddress? exactAddressRule, bool localhostRule)
    {
        ExactAddressRule = exactAddressRule;
        LocalhostRule = localhostRule;
    }

    /// <summary>No opening: only public addresses (and <c>egress.allowCidrs</c>).</summary>
    public static DialPermissions None => default;

    /// <summary>The IP literal the deciding rule named; that address may be dialled whatever its class.</summary>
    public IPAddress? ExactAddressRule { get; }

    /// <summary>True when the deciding rule named <c>localhost</c>; loopback may then be dialled.</summary>
    public bool LocalhostRule { get; }

    /// <summary>
    /// The permissions an allow decision carries. A blocked decision (also one let through in
    /// report mode) carries none. Allocates an <see cref="IPAddress"/> only for IP-literal rules.
    /// </summary>
    public static DialPermissions FromDecision(in Decision decision)
    {
        RulePattern? pattern = decision.Pattern;
        if (!decision.IsAllowed || pattern is null)
        {
            return None;
        }

        return pattern.Kind switch
        {
            PatternKind.Address => new DialPermissions(ToIPAddress(pattern.Address), localhostRule: false),
            PatternKind.Exact when string.Equals(pattern.Host, "localhost", StringComparison.Ordinal) => new DialPermissions(null, localhostRule: true),
            _ => None,
        };
    }

    /// <summary>The 128-bit form the policy compiler uses (IPv4 as IPv4-mapped) as an <see cref="IPAddress"/>.</summary>
    internal static IPAddress ToIPAddress(UInt128 address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IpLiteral.TryUnmapIPv4(address, out uint v4))
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, v4);
            return new IPAddress(bytes[..4]);
        }

        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes);
    }
}
