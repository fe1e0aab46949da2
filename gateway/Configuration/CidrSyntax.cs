using System.Globalization;
using System.Net;

namespace Gateway.Configuration;

/// <summary>CIDR ranges for <c>egress.allowCidrs</c>: a strict IP literal, '/', a prefix length.</summary>
internal static class CidrSyntax
{
    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says how to write it.</summary>
    public static bool TryParse(string text, out IPNetwork network, out string error)
    {
        network = default;
        int slash = text.IndexOf('/');
        if (slash < 0
            || !IpSyntax.TryParse(text[..slash], foldMapped: false, out IPAddress address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix))
        {
            error = $"\"{text}\" is not a CIDR range; write address/prefix, e.g. 10.0.0.0/8 or fd00::/8";
            return false;
        }

        int bits = address.GetAddressBytes().Length * 8;
        if (prefix > bits)
        {
            error = $"\"{text}\": the prefix must be 0-{bits}";
            return false;
        }

        // A range written with host bits set ("10.0.0.1/8") usually means a typo; say which range it is.
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        bool hostBits = false;
        for (int i = 0; i < length; i++)
        {
            int keep = Math.Clamp(prefix - (i * 8), 0, 8);
            byte mask = (byte)(0xFF << (8 - keep));
            hostBits |= (bytes[i] & ~mask & 0xFF) != 0;
            bytes[i] &= mask;
        }

        if (hostBits)
        {
            error = $"\"{text}\" has bits set after the prefix; write {new IPAddress(bytes[..length])}/{prefix}";
            return false;
        }

        network = new IPNetwork(address, prefix);
        error = "";
        return true;
    }
}
