using System.Globalization;
using System.Net;

namespace Vmm.Network;

/// <summary>
/// One /30 of 10.209.0.0/16: block <c>i</c> is 10.209.0.0 + 4·i; the host end is .1 and the
/// sandbox .2 of it (.0 and .3 are the network and broadcast addresses). The host interface is
/// named after the block, so the name is unique exactly when the block is.
/// </summary>
internal readonly record struct AddressBlock(int Index)
{
    /// <summary>Blocks in 10.209.0.0/16.</summary>
    public const int Count = 1 << 14;

    /// <summary>The link's prefix length.</summary>
    public const int PrefixLength = 30;

    /// <summary>Prefix of every host interface vmm makes; <c>vmm gc</c> only ever touches these.</summary>
    public const string InterfacePrefix = "egw";

    private const uint Base = (10u << 24) | (209u << 16);

    /// <summary>The gateway's address on the link.</summary>
    public IPAddress HostAddress => Address(1);

    /// <summary>The sandbox's address.</summary>
    public IPAddress SandboxAddress => Address(2);

    /// <summary>The host interface's name ("egw0" … "egw16383": within the kernel's 15 characters).</summary>
    public string InterfaceName => InterfacePrefix + Index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The block whose host interface is <paramref name="name"/>, if it is one of vmm's.</summary>
    public static bool TryParseInterface(string name, out AddressBlock block)
    {
        block = default;
        if (!name.StartsWith(InterfacePrefix, StringComparison.Ordinal)
            || !int.TryParse(name.AsSpan(InterfacePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || index >= Count
            || name != InterfacePrefix + index.ToString(CultureInfo.InvariantCulture))
        {
            return false;
        }

        block = new AddressBlock(index);
        return true;
    }

    /// <summary>The block an address of 10.209.0.0/16 falls in.</summary>
    public static bool TryOf(IPAddress address, out AddressBlock block)
    {
        block = default;
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        uint value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if ((value & 0xFFFF0000u) != Base)
        {
            return false;
        }

        block = new AddressBlock((int)((value - Base) >> 2));
        return true;
    }

    private IPAddress Address(int host)
    {
        uint value = Base + ((uint)Index << 2) + (uint)host;
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }
}
