using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;

namespace Gateway.Dialing;

/// <summary>
/// Classifies resolved addresses and refuses the ones a sandbox must not reach (security
/// invariant 5). It runs at dial time on the address about to be dialled, after every name
/// lookup, so DNS rebinding and names that resolve to internal addresses are caught where
/// they matter. Classification and the check allocate nothing.
/// </summary>
internal sealed class EgressGuard
{
    private readonly Range128[] _allowIPv4;
    private readonly Range128[] _allowIPv6;

    /// <summary>Creates a guard that opens the ranges in <paramref name="egress"/>.</summary>
    public EgressGuard(EgressConfig egress)
    {
        ArgumentNullException.ThrowIfNull(egress);
        (_allowIPv4, _allowIPv6) = Compile(egress.AllowCidrs);
    }

    /// <summary>
    /// Decides whether <paramref name="address"/> may be dialled: public addresses always; any
    /// other class only when <c>egress.allowCidrs</c> contains it, the deciding rule named this
    /// exact IP literal, or (loopback only) the deciding rule named <c>localhost</c>.
    /// Unspecified, multicast and broadcast addresses are never dialled, whatever is open.
    /// </summary>
    public EgressError Check(IPAddress address, DialPermissions permissions) => Check(address, permissions, out _);

    /// <summary>As <see cref="Check(IPAddress, DialPermissions)"/>, also reporting the class for the audit log.</summary>
    public EgressError Check(IPAddress address, DialPermissions permissions, out AddressClass addressClass)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!TryGetValue(address, out UInt128 value, out bool isIPv4))
        {
            addressClass = AddressClass.Reserved;
            return EgressError.RefusedAddress;
        }

        addressClass = isIPv4 ? ClassifyIPv4((uint)value) : ClassifyIPv6(value);
        if (addressClass == AddressClass.Public)
        {
            return EgressError.None;
        }

        // 0.0.0.0 and :: reach the local host on Linux ("0.0.0.0 day"); multicast and
        // broadcast are no TCP destination at all. Opening them would only ever be a bypass.
        if (addressClass is AddressClass.Unspecified or AddressClass.Multicast or AddressClass.Broadcast)
        {
            return EgressError.RefusedAddress;
        }

        if (permissions.ExactAddressRule is { } exact
            && TryGetValue(exact, out UInt128 exactValue, out bool exactIsIPv4)
            && exactValue == value && exactIsIPv4 == isIPv4)
        {
            return EgressError.None;
        }

        if (permissions.LocalhostRule && addressClass == AddressClass.Loopback)
        {
            return EgressError.None;
        }

        return Contains(isIPv4 ? _allowIPv4 : _allowIPv6, value) ? EgressError.None : EgressError.RefusedAddress;
    }

    /// <summary>The class of <paramref name="address"/>; IPv4-mapped IPv6 is classified as the IPv4 it carries.</summary>
    public static AddressClass Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!TryGetValue(address, out UInt128 value, out bool isIPv4))
        {
            return AddressClass.Reserved;
        }

        return isIPv4 ? ClassifyIPv4((uint)value) : ClassifyIPv6(value);
    }

    /// <summary>The class of an IPv4 address given in host order (192.0.2.1 is 0xC0000201).</summary>
    public static AddressClass ClassifyIPv4(uint address)
    {
        uint first = address >> 24;
        return first switch
        {
            0 => AddressClass.Unspecified,                                  // 0/8, "this network" (RFC 791)
            10 => AddressClass.Private,                                     // RFC 1918
            127 => AddressClass.Loopback,
            >= 224 and < 240 => AddressClass.Multicast,
            _ when address == 0xFFFF_FFFF => AddressClass.Broadcast,
            >= 240 => AddressClass.Reserved,                                // 240/4, reserved for future use
            _ => ClassifyIPv4Special(address),
        };
    }

    /// <summary>The class of an IPv6 address (big-endian value), unwrapping the transition forms that carry an IPv4.</summary>
    public static AddressClass ClassifyIPv6(UInt128 address)
    {
        ulong high = (ulong)(address >> 64);
        ulong low = (ulong)address;
        uint embedded = (uint)low;
        if (high == 0)
        {
            return (low >> 32) switch
            {
                0 when embedded == 0 => AddressClass.Unspecified,           // ::
                0 when embedded == 1 => AddressClass.Loopback,              // ::1
                0xFFFF => ClassifyIPv4(embedded),                           // ::ffff:0:0/96 IPv4-mapped, the same host
                // ::/96 IPv4-compatible (deprecated, RFC 4291 §2.5.5.1) and ::ffff:0:0:0/96
                // IPv4-translated (RFC 2765): nothing routes them any more, so a public
                // embedded address is still refused; the embedded class names the worse ones.
                0 or 0xFFFF_0000 => Deprecated(ClassifyIPv4(embedded)),
                _ => AddressClass.Reserved,
            };
        }

        uint top16 = (uint)(high >> 48);
        if (top16 >= 0xFF00)
        {
            return AddressClass.Multicast;                                  // ff00::/8
        }

        if ((top16 & 0xFFC0) == 0xFE80)
        {
            return AddressClass.LinkLocal;                                  // fe80::/10
        }

        if ((top16 & 0xFFC0) == 0xFEC0)
        {
            return AddressClass.Private;                                    // fec0::/10 site-local (deprecated, RFC 3879)
        }

        if ((top16 & 0xFE00) == 0xFC00)
        {
            // fc00::/7 unique-local; AWS serves instance metadata (and EKS pod identity) inside it.
            return high == 0xFD00_0EC2_0000_0000 && (low == 0x254 || low == 0x23)
                ? AddressClass.Metadata
                : AddressClass.Private;
        }

        if (high == 0x0064_FF9B_0000_0000 && (low >> 32) == 0)
        {
            return ClassifyIPv4(embedded);                                  // 64:ff9b::/96 NAT64 (RFC 6052 §2.1)
        }

        if ((high >> 16) == 0x0064_FF9B_0001)
        {
            // 64:ff9b:1::/48 local-use NAT64 (RFC 8215): where the IPv4 sits depends on the
            // operator's prefix length, so a public reading proves nothing; read as /96.
            return Deprecated(ClassifyIPv4(embedded));
        }

        if ((top16 & 0xE000) != 0x2000)
        {
            return AddressClass.Reserved;                                   // outside 2000::/3 global unicast (100::/64 discard …)
        }

        return ClassifyGlobalIPv6(high, low);
    }

    private static AddressClass ClassifyGlobalIPv6(ulong high, ulong low)
    {
        uint top32 = (uint)(high >> 32);
        if (top32 == 0x2001_0000)
        {
            // Teredo (RFC 4380 §4): the server's IPv4 in bits 32-63, the client's (the real
            // destination) inverted in the last 32 bits. Either one being internal refuses it.
            AddressClass client = ClassifyIPv4(~(uint)low);
            return client != AddressClass.Public ? client : ClassifyIPv4((uint)high);
        }

        if ((top32 >> 16) == 0x2002)
        {
            return ClassifyIPv4((uint)(high >> 16));                        // 2002::/16 6to4 (RFC 3056 §2)
        }

        if ((top32 & 0xFFFF_FE00) == 0x2001_0000                           // 2001::/23 IETF protocol assignments (benchmarking 2001:2::/48, ORCHID …)
            || top32 == 0x2001_0DB8                                         // 2001:db8::/32 documentation
            || (top32 & 0xFFFF_F000) == 0x3FFF_0000)                        // 3fff::/20 documentation (RFC 9637)
        {
            return AddressClass.Reserved;
        }

        return AddressClass.Public;
    }

    private static AddressClass ClassifyIPv4Special(uint address) => address switch
    {
        0xA9FE_A9FE or 0xA9FE_AA02 or 0xA9FE_AA17 => AddressClass.Metadata,    // 169.254.169.254, 169.254.170.2 (ECS), 169.254.170.23 (EKS)
        0x6464_64C8 or 0xC000_00C0 => AddressClass.Metadata,                  // 100.100.100.200 (Alibaba), 192.0.0.192 (Oracle)
        _ when (address & 0xFFFF_0000) == 0xA9FE_0000 => AddressClass.LinkLocal,       // 169.254/16
        _ when (address & 0xFFC0_0000) == 0x6440_0000 => AddressClass.CarrierGradeNat, // 100.64/10
        _ when (address & 0xFFF0_0000) == 0xAC10_0000 => AddressClass.Private,         // 172.16/12
        _ when (address & 0xFFFF_0000) == 0xC0A8_0000 => AddressClass.Private,         // 192.168/16
        _ when (address & 0xFFFF_FF00) == 0xC000_0000 => AddressClass.Reserved,        // 192.0.0/24 IETF protocol assignments
        _ when (address & 0xFFFF_FF00) == 0xC000_0200 => AddressClass.Reserved,        // 192.0.2/24 TEST-NET-1
        _ when (address & 0xFFFF_FF00) == 0xC633_6400 => AddressClass.Reserved,        // 198.51.100/24 TEST-NET-2
        _ when (address & 0xFFFF_FF00) == 0xCB00_7100 => AddressClass.Reserved,        // 203.0.113/24 TEST-NET-3
        _ when (address & 0xFFFE_0000) == 0xC612_0000 => AddressClass.Reserved,        // 198.18/15 benchmarking (RFC 2544)
        _ when (address & 0xFFFF_FF00) == 0xC058_6300 => AddressClass.Reserved,        // 192.88.99/24 6to4 relay anycast (deprecated, RFC 7526)
        _ => AddressClass.Public,
    };

    private static AddressClass Deprecated(AddressClass embedded) =>
        embedded == AddressClass.Public ? AddressClass.Reserved : embedded;

    /// <summary>
    /// The address as a 128-bit big-endian value: IPv4 (and IPv4-mapped IPv6, which is the
    /// same host) as the 32-bit address with <paramref name="isIPv4"/> set. Scope ids are ignored.
    /// </summary>
    private static bool TryGetValue(IPAddress address, out UInt128 value, out bool isIPv4)
    {
        Span<byte> bytes = stackalloc byte[16];
        value = default;
        isIPv4 = false;
        switch (address.AddressFamily)
        {
            case AddressFamily.InterNetwork:
                address.TryWriteBytes(bytes, out _);
                value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
                isIPv4 = true;
                return true;
            case AddressFamily.InterNetworkV6:
                address.TryWriteBytes(bytes, out _);
                value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
                if ((value >> 32) == 0xFFFF)
                {
                    value = (uint)value;
                    isIPv4 = true;
                }

                return true;
            default:
                return false;
        }
    }

    private static (Range128[] IPv4, Range128[] IPv6) Compile(ImmutableArray<IPNetwork> networks)
    {
        var v4 = new List<Range128>();
        var v6 = new List<Range128>();
        foreach (IPNetwork network in networks.IsDefault ? [] : networks)
        {
            if (!TryGetValue(network.BaseAddress, out UInt128 value, out bool isIPv4))
            {
                continue;
            }

            int bits = isIPv4 ? 32 : 128;
            int prefix = network.PrefixLength;
            if (isIPv4 && network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // ::ffff:a.b.c.d/N names IPv4 space; anything shorter than /96 is not an IPv4 range.
                if (prefix < 96)
                {
                    v6.Add(Range128.Create(BinaryPrimitives.ReadUInt128BigEndian(network.BaseAddress.GetAddressBytes()), prefix, 128));
                    continue;
                }

                prefix -= 96;
            }

            (isIPv4 ? v4 : v6).Add(Range128.Create(value, prefix, bits));
        }

        return (v4.ToArray(), v6.ToArray());
    }

    private static bool Contains(Range128[] ranges, UInt128 value)
    {
        foreach (Range128 range in ranges)
        {
            if ((value & range.Mask) == range.Network)
            {
                return true;
            }
        }

        return false;
    }
}
