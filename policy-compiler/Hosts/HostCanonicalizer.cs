using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        if (!host.IsEmpty && host.IndexOfAnyExcept(s_nameBytes) < 0)
        {
            return TryCanonicalizeName(host, destination, default, out length, out _, out kind, out address);
        }

        return TryCanonicalizeOther(host, destination, out length, out kind, out address);
    }

    /// <summary>
    /// As <see cref="TryCanonicalize(ReadOnlySpan{byte}, Span{byte}, out int, out HostKind, out UInt128)"/>, and
    /// for names also the offsets of the dots of the canonical name, left to right, in
    /// <paramref name="dots"/> (at least <see cref="MaxDots"/> long), so a lookup need not scan the name again.
    /// </summary>
    internal static HostError TryCanonicalize(
        ReadOnlySpan<byte> host, Span<byte> destination, Span<byte> dots, out int length, out int dotCount, out HostKind kind, out UInt128 address)
    {
        if (!host.IsEmpty && host.IndexOfAnyExcept(s_nameBytes) < 0)
        {
            return TryCanonicalizeName(host, destination, dots, out length, out dotCount, out kind, out address);
        }

        HostError error = TryCanonicalizeOther(host, destination, out length, out kind, out address);
        dotCount = !dots.IsEmpty && error == HostError.None && kind == HostKind.Name ? FindDots(destination, length, dots) : 0;
        return error;
    }

    /// <summary>A dot buffer of this size always suffices (dots are found before empty labels are refused).</summary>
    internal const int MaxDots = MaxNameLength;

    // The common case, one pass less: every byte is already known to be a name byte, so the
    // host is ASCII, not an IPv6 literal and has no invalid character; what remains of the
    // checks below runs in the same order, so errors are reported exactly as there.
    private static HostError TryCanonicalizeName(
        ReadOnlySpan<byte> host, Span<byte> destination, Span<byte> dots, out int length, out int dotCount, out HostKind kind, out UInt128 address)
    {
        length = 0;
        dotCount = 0;
        kind = HostKind.Name;
        address = default;
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

        if (Unsafe.AreSame(ref MemoryMarshal.GetReference(host), ref MemoryMarshal.GetReference(destination)))
        {
            // The text overload lower-cased the host into the destination already.
            length = host.Length;
        }
        else
        {
            Ascii.ToLower(host, destination, out length);
        }

        HostError error;
        if (dots.IsEmpty)
        {
            error = ValidateName(destination[..length], out kind, out address);
        }
        else
        {
            dotCount = FindDots(destination, length, dots);
            error = ValidateLabels(destination[..length], dots[..dotCount], out kind, out address);
        }

        // IP literals are reported through the address alone: nothing counts as written.
        if (kind != HostKind.Name)
        {
            length = 0;
        }

        return error;
    }

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

    /// <summary>Canonicalises a host given as text (CLI, config, patterns). ASCII text does not allocate.</summary>
    public static HostError TryCanonicalize(
        ReadOnlySpan<char> host, Span<byte> destination, out int length, out HostKind kind, out UInt128 address) =>
        TryCanonicalize(host, destination, default, out length, out _, out kind, out address);

    /// <summary>As the text overload, with the dots of the canonical name (see the UTF-8 overload).</summary>
    internal static HostError TryCanonicalize(
        ReadOnlySpan<char> host, Span<byte> destination, Span<byte> dots, out int length, out int dotCount, out HostKind kind, out UInt128 address)
    {
        if (host.Length <= BufferSize && Ascii.IsValid(host))
        {
            // Narrowing and lower-casing are one pass, straight into the destination; a plain
            // name then needs no second copy. Lower-casing first changes no outcome for such a
            // name (every check below is case-blind), but it would for the other forms, so
            // those start again from the text as it was given.
            if (!host.IsEmpty && destination.Length >= host.Length
                && Ascii.ToLower(host, destination, out int lowered) == OperationStatus.Done
                && destination[..lowered].IndexOfAnyExcept(s_nameBytes) < 0)
            {
                return TryCanonicalizeName(destination[..lowered], destination, dots, out length, out dotCount, out kind, out address);
            }

            Span<byte> bytes = stackalloc byte[BufferSize];
            int count = Encoding.ASCII.GetBytes(host, bytes);
            return TryCanonicalize(bytes[..count], destination, dots, out length, out dotCount, out kind, out address);
        }

        length = 0;
        dotCount = 0;
        kind = HostKind.Name;
        address = default;

        // Long ASCII text is simply too long; IdnMapping would misreport it as an invalid IDN.
        if (host.Length > 4 * BufferSize || Ascii.IsValid(host))
        {
            return HostError.TooLong;
        }

        HostError error = TryIdnText(host.ToString(), destination, out length, out kind, out address);
        dotCount = !dots.IsEmpty && error == HostError.None && kind == HostKind.Name ? FindDots(destination, length, dots) : 0;
        return error;
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

    // ValidateName over dots found already: the same checks, label by label left to right, so
    // the same error for the same name.
    private static HostError ValidateLabels(ReadOnlySpan<byte> name, ReadOnlySpan<byte> dots, out HostKind kind, out UInt128 address)
    {
        kind = HostKind.Name;
        address = default;
        int labelStart = 0;
        for (int k = 0; k <= dots.Length; k++)
        {
            int end = k < dots.Length ? dots[k] : name.Length;
            int labelLength = end - labelStart;
            if (labelLength == 0)
            {
                return HostError.EmptyLabel;
            }

            if (labelLength > MaxLabelLength)
            {
                return HostError.LabelTooLong;
            }

            if (name[labelStart] == '-' || name[end - 1] == '-')
            {
                return HostError.HyphenAtLabelEdge;
            }

            labelStart = end + 1;
        }

        // Both numeric forms start with a digit; most names end in a letter and stop here.
        int lastLabelStart = dots.IsEmpty ? 0 : dots[^1] + 1;
        if (char.IsAsciiDigit((char)name[lastLabelStart]) && EndsInNumber(name[lastLabelStart..]))
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

    /// <summary>
    /// Writes the offsets of the dots in <c>buffer[..length]</c> to <paramref name="dots"/>.
    /// Reads whole vectors out of <paramref name="buffer"/> (the canonicaliser's destination,
    /// <see cref="BufferSize"/> long) and masks off what lies past <paramref name="length"/>.
    /// </summary>
    internal static int FindDots(ReadOnlySpan<byte> buffer, int length, Span<byte> dots)
    {
        int count = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref byte start = ref MemoryMarshal.GetReference(buffer);
            Vector256<byte> dot = Vector256.Create((byte)'.');
            for (; i < length && i + Vector256<byte>.Count <= buffer.Length; i += Vector256<byte>.Count)
            {
                uint mask = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), dot).ExtractMostSignificantBits();
                int valid = length - i;
                if (valid < Vector256<byte>.Count)
                {
                    mask &= (1u << valid) - 1;
                }

                while (mask != 0)
                {
                    dots[count++] = (byte)(i + BitOperations.TrailingZeroCount(mask));
                    mask &= mask - 1;
                }
            }
        }

        for (; i < length; i++)
        {
            if (buffer[i] == '.')
            {
                dots[count++] = (byte)i;
            }
        }

        return count;
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
