using System.Buffers.Binary;
using System.Net;

namespace PolicyCompiler.Hosts;

/// <summary>
/// Strict IP literal parsing over ASCII bytes. Strict on purpose: inet_aton accepts
/// "127.1", "0x7f.1" and "2130706433" for 127.0.0.1, which is how allow-lists that compare
/// text get bypassed (SSRF). Only the dotted quad with four decimal parts and no leading
/// zeros is IPv4 here; IPv6 follows RFC 4291 §2.2 without zone ids.
/// Addresses are held as 128-bit values; IPv4 as IPv4-mapped (::ffff:a.b.c.d).
/// </summary>
public static class IpLiteral
{
    private static readonly UInt128 s_mappedPrefix = new(0, 0x0000_FFFF_0000_0000);

    /// <summary>Parses a strict dotted quad.</summary>
    public static bool TryParseIPv4(ReadOnlySpan<byte> text, out uint address)
    {
        address = 0;
        int part = 0;
        int i = 0;
        while (true)
        {
            int start = i;
            uint value = 0;
            while (i < text.Length && (uint)(text[i] - '0') <= 9)
            {
                value = (value * 10) + (uint)(text[i] - '0');
                i++;
                if (i - start > 3)
                {
                    return false;
                }
            }

            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            address = (address << 8) | value;
            part++;
            if (part == 4)
            {
                return i == text.Length;
            }

            if (i >= text.Length || text[i] != '.')
            {
                return false;
            }

            i++;
        }
    }

    /// <summary>Parses an IPv6 literal without brackets or zone id, e.g. "2001:db8::1" or "::ffff:1.2.3.4".</summary>
    public static bool TryParseIPv6(ReadOnlySpan<byte> text, out UInt128 address)
    {
        address = default;
        Span<ushort> groups = stackalloc ushort[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        if (text.Length < 2 || text.Length > 45)
        {
            return false;
        }

        if (text[0] == ':')
        {
            if (text[1] != ':')
            {
                return false;
            }

            gap = 0;
            i = 2;
        }

        while (i < text.Length)
        {
            if (count == 8)
            {
                return false;
            }

            int start = i;
            uint value = 0;
            while (i < text.Length && i - start < 5 && TryHex(text[i], out uint nibble))
            {
                value = (value << 4) | nibble;
                i++;
            }

            int digits = i - start;
            if (i < text.Length && text[i] == '.')
            {
                // An embedded dotted quad takes the last 32 bits (RFC 4291 §2.2 form 3).
                if (count > 6 || !TryParseIPv4(text[start..], out uint v4))
                {
                    return false;
                }

                groups[count++] = (ushort)(v4 >> 16);
                groups[count++] = (ushort)v4;
                i = text.Length;
                break;
            }

            if (digits == 0 || digits > 4)
            {
                return false;
            }

            groups[count++] = (ushort)value;
            if (i == text.Length)
            {
                break;
            }

            if (text[i] != ':')
            {
                return false;
            }

            i++;
            if (i < text.Length && text[i] == ':')
            {
                if (gap >= 0)
                {
                    return false;
                }

                gap = count;
                i++;
            }
            else if (i == text.Length)
            {
                return false;
            }
        }

        if (gap < 0 ? count != 8 : count > 7)
        {
            return false;
        }

        UInt128 value128 = 0;
        int fill = 8 - count;
        for (int g = 0, src = 0; g < 8; g++)
        {
            ushort group = 0;
            if (gap >= 0 && g >= gap && g < gap + fill)
            {
                group = 0;
            }
            else
            {
                group = groups[src++];
            }

            value128 = (value128 << 16) | group;
        }

        address = value128;
        return true;
    }

    /// <summary>The 128-bit form of an IPv4 address (IPv4-mapped IPv6).</summary>
    public static UInt128 MapIPv4(uint address) => s_mappedPrefix | address;

    /// <summary>True when <paramref name="address"/> is IPv4-mapped, with the IPv4 part.</summary>
    public static bool TryUnmapIPv4(UInt128 address, out uint ipv4)
    {
        ipv4 = (uint)(ulong)address;
        return (address >> 32) == (s_mappedPrefix >> 32);
    }

    /// <summary>Canonical text: dotted quad for IPv4, RFC 5952 for IPv6. Allocates; for edges only.</summary>
    public static string Format(UInt128 address)
    {
        if (TryUnmapIPv4(address, out uint v4))
        {
            return new IPAddress(BinaryPrimitives.ReverseEndianness(v4)).ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes).ToString();
    }

    private static bool TryHex(byte b, out uint nibble)
    {
        nibble = (uint)(b - '0');
        if (nibble <= 9)
        {
            return true;
        }

        nibble = (uint)((b | 0x20) - 'a');
        if (nibble <= 5)
        {
            nibble += 10;
            return true;
        }

        return false;
    }
}
