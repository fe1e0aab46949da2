using System.Buffers;
using System.Globalization;
using System.Text;

namespace PolicyCompiler.Hosts;

/// <summary>
/// Brings a host to the one form that patterns and looked-up hosts are compared in:
/// ASCII lower case, one trailing dot removed, IDN as punycode (UTS 46), IP literals
/// parsed strictly. The same code runs for patterns and for traffic, so the two cannot
/// drift apart. ASCII input (every host on the wire) is handled without allocating.
/// </summary>
public static class HostCanonicalizer
{
    /// <summary>The longest canonical host name (RFC 1035 §2.3.4, without the root dot).</summary>
    public const int MaxNameLength = 253;

    /// <summary>A destination buffer of this size always suffices.</summary>
    public const int BufferSize = 256;

    private const int MaxLabelLength = 63;

    // Letters, digits, '-', '_' (seen in real service names) and '.'; everything else is refused.
    private static readonly SearchValues<byte> s_nameBytes =
        SearchValues.Create("-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"u8);

    private static readonly IdnMapping s_idn = new() { AllowUnassigned = false, UseStd3AsciiRules = false };

    /// <summary>
    /// Canonicalises <paramref name="host"/> (bytes as they came off the wire). For names the
    /// canonical bytes are written to <paramref name="destination"/> (at least <see cref="BufferSize"/>);
    /// for IP literals <paramref name="address"/> is set and <paramref name="length"/> is 0.
    /// </summary>
    public static HostError TryCanonicalize(
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

    /// <summary>Canonicalises a host given as text (CLI, config, patterns). ASCII text does not allocate.</summary>
    public static HostError TryCanonicalize(
        ReadOnlySpan<char> host, Span<byte> destination, out int length, out HostKind kind, out UInt128 address)
    {
        if (host.Length <= BufferSize && Ascii.IsValid(host))
        {
            Span<byte> bytes = stackalloc byte[BufferSize];
            int count = Encoding.ASCII.GetBytes(host, bytes);
            return TryCanonicalize(bytes[..count], destination, out length, out kind, out address);
        }

        length = 0;
        kind = HostKind.Name;
        address = default;

        // Long ASCII text is simply too long; IdnMapping would misreport it as an invalid IDN.
        if (host.Length > 4 * BufferSize || Ascii.IsValid(host))
        {
            return HostError.TooLong;
        }

        return TryIdnText(host.ToString(), destination, out length, out kind, out address);
    }

    /// <summary>Canonical text of <paramref name="host"/>, or null with the reason. Allocates; for edges.</summary>
    public static string? Canonicalize(string host, out HostKind kind, out HostError error)
    {
        Span<byte> buffer = stackalloc byte[BufferSize];
        error = TryCanonicalize(host.AsSpan(), buffer, out int length, out kind, out UInt128 address);
        if (error != HostError.None)
        {
            return null;
        }

        return kind == HostKind.Name ? Encoding.ASCII.GetString(buffer[..length]) : IpLiteral.Format(address);
    }

    private static HostError ValidateName(ReadOnlySpan<byte> name, out HostKind kind, out UInt128 address)
    {
        kind = HostKind.Name;
        address = default;
        int lastLabelStart = 0;
        int labelStart = 0;
        for (int i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] != '.')
            {
                continue;
            }

            int labelLength = i - labelStart;
            if (labelLength == 0)
            {
                return HostError.EmptyLabel;
            }

            if (labelLength > MaxLabelLength)
            {
                return HostError.LabelTooLong;
            }

            if (name[labelStart] == '-' || name[i - 1] == '-')
            {
                return HostError.HyphenAtLabelEdge;
            }

            lastLabelStart = labelStart;
            labelStart = i + 1;
        }

        // A name whose last label is a number is an IPv4 address or nothing (WHATWG URL
        // "ends in a number"); otherwise "127.1" would pass as a name and dial 127.0.0.1.
        if (EndsInNumber(name[lastLabelStart..]))
        {
            if (!IpLiteral.TryParseIPv4(name, out uint v4))
            {
                return HostError.NonCanonicalIPv4;
            }

            kind = HostKind.IPv4;
            address = IpLiteral.MapIPv4(v4);
        }

        return HostError.None;
    }

    private static bool EndsInNumber(ReadOnlySpan<byte> label)
    {
        if (label.Length >= 2 && label[0] == '0' && label[1] == 'x')
        {
            return label[2..].IndexOfAnyExcept("0123456789abcdef"u8) < 0;
        }

        return label.IndexOfAnyExcept("0123456789"u8) < 0;
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
