using System.Buffers.Binary;
using System.Net;
using System.Text;
using PolicyCompiler.Hosts;

namespace Gateway.Configuration;

/// <summary>
/// Strict IP literals for configuration values. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
/// accepts "127.1" and "0x7f.1" as 127.0.0.1; the policy compiler's <see cref="IpLiteral"/> does not,
/// so a configured address means exactly what it says (security invariant 5).
/// </summary>
internal static class IpSyntax
{
    /// <summary>
    /// Parses a dotted quad or an IPv6 literal (brackets optional, no zone id). IPv4-mapped IPv6
    /// is folded to IPv4 when <paramref name="foldMapped"/> is set, as sockets report IPv4
    /// clients on dual-stack listeners that way.
    /// </summary>
    public static bool TryParse(string text, bool foldMapped, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length is 0 or > 64 || !Ascii.IsValid(text))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[64];
        int length = Encoding.ASCII.GetBytes(text, bytes);
        ReadOnlySpan<byte> ascii = bytes[..length];
        if (!ascii.Contains((byte)':'))
        {
            if (!IpLiteral.TryParseIPv4(ascii, out uint v4))
            {
                return false;
            }

            address = new IPAddress(BinaryPrimitives.ReverseEndianness(v4));
            return true;
        }

        if (ascii[0] == '[')
        {
            if (ascii.Length < 3 || ascii[^1] != ']')
            {
                return false;
            }

            ascii = ascii[1..^1];
        }

        if (!IpLiteral.TryParseIPv6(ascii, out UInt128 v6))
        {
            return false;
        }

        if (foldMapped && IpLiteral.TryUnmapIPv4(v6, out uint mapped))
        {
            address = new IPAddress(BinaryPrimitives.ReverseEndianness(mapped));
            return true;
        }

        Span<byte> raw = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(raw, v6);
        address = new IPAddress(raw);
        return true;
    }
}
