using System.Globalization;
using System.Text;

namespace PolicyCompiler.Hosts;

// Everything that is not a plain ASCII name: IPv6 literals, refused bytes, and non-ASCII
// names mapped to punycode (UTS 46). Off the fast path; may allocate.
public static partial class HostCanonicalizer
{
    private static readonly IdnMapping s_idn = new() { AllowUnassigned = false, UseStd3AsciiRules = false };

    // The original path: empty input, IPv6 literals, non-ASCII (IDN) and refused bytes.
    private static HostError TryCanonicalizeOther(
        ReadOnlySpan<byte> host, Span<byte> destination, out int length, out HostKind kind, out UInt128 address)
    {
        length = 0;
        kind = HostKind.Name;
        address = default;
        if (host.IsEmpty)
        {
            return HostError.Empty;
        }

        if (host[0] == '[' || host.Contains((byte)':'))
        {
            return TryIPv6(host, out kind, out address);
        }

        if (!Ascii.IsValid(host))
        {
            return TryIdn(host, destination, out length, out kind, out address);
        }

        if (host[^1] == '.')
        {
            host = host[..^1];
        }

        if (host.IsEmpty)
        {
            return HostError.EmptyLabel;
        }

        if (host.Length > MaxNameLength)
        {
            return HostError.TooLong;
        }

        if (host.IndexOfAnyExcept(s_nameBytes) >= 0)
        {
            return HostError.InvalidCharacter;
        }

        Ascii.ToLower(host, destination, out length);
        HostError error = ValidateName(destination[..length], out kind, out address);
        if (kind != HostKind.Name)
        {
            // A dotted quad was lowered into destination on the way; it is not a name.
            length = 0;
        }

        return error;
    }

    private static HostError TryIPv6(ReadOnlySpan<byte> host, out HostKind kind, out UInt128 address)
    {
        kind = HostKind.IPv6;
        address = default;
        if (host[0] == '[')
        {
            if (host.Length < 2 || host[^1] != ']')
            {
                return HostError.InvalidIPv6;
            }

            host = host[1..^1];
        }

        if (!IpLiteral.TryParseIPv6(host, out address))
        {
            return HostError.InvalidIPv6;
        }

        // ::ffff:a.b.c.d is the IPv4 host; folding it keeps an IPv4 deny rule from being dodged.
        if (IpLiteral.TryUnmapIPv4(address, out _))
        {
            kind = HostKind.IPv4;
        }

        return HostError.None;
    }

    private static HostError TryIdn(
        ReadOnlySpan<byte> host, Span<byte> destination, out int length, out HostKind kind, out UInt128 address)
    {
        length = 0;
        kind = HostKind.Name;
        address = default;
        if (host.Length > 4 * BufferSize)
        {
            return HostError.TooLong;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(host);
        }
        catch (DecoderFallbackException)
        {
            return HostError.InvalidIdn;
        }

        return TryIdnText(text, destination, out length, out kind, out address);
    }

    private static HostError TryIdnText(
        string text, Span<byte> destination, out int length, out HostKind kind, out UInt128 address)
    {
        length = 0;
        kind = HostKind.Name;
        address = default;
        foreach (char c in text)
        {
            // IdnMapping maps some of these away; a host with them was never meant as one.
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return HostError.InvalidCharacter;
            }
        }

        string ascii;
        try
        {
            // UTS 46 maps upper case to lower case, but with InvariantGlobalization (set for
            // every project) IdnMapping only punycodes: "BÜCHER.example" would become
            // xn--bcher-2pa, not xn--bcher-kva, and miss the rules for "bücher.example".
            // Invariant mode still case-maps all of Unicode, so fold the case here.
            ascii = s_idn.GetAscii(text.ToLowerInvariant());
        }
        catch (ArgumentException)
        {
            return HostError.InvalidIdn;
        }

        if (!Ascii.IsValid(ascii))
        {
            return HostError.InvalidIdn;
        }

        Span<byte> bytes = stackalloc byte[BufferSize];
        if (ascii.Length > BufferSize)
        {
            return HostError.TooLong;
        }

        int count = Encoding.ASCII.GetBytes(ascii, bytes);
        return TryCanonicalize(bytes[..count], destination, out length, out kind, out address);
    }
}
