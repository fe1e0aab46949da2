using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace PolicyCompiler.Hosts;

/// <summary>
/// Brings a host to the one form that patterns and looked-up hosts are compared in:
/// ASCII lower case, one trailing dot removed, IDN as punycode (UTS 46), IP literals
/// parsed strictly. The same code runs for patterns and for traffic, so the two cannot
/// drift apart. ASCII input (every host on the wire) is handled without allocating.
/// </summary>
public static partial class HostCanonicalizer
{
    /// <summary>The longest canonical host name (RFC 1035 §2.3.4, without the root dot).</summary>
    public const int MaxNameLength = 253;

    /// <summary>A destination buffer of this size always suffices.</summary>
    public const int BufferSize = 256;

    private const int MaxLabelLength = 63;

    // Letters, digits, '-', '_' (seen in real service names) and '.'; everything else is refused.
    private static readonly SearchValues<byte> s_nameBytes =
        SearchValues.Create("-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"u8);

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
        return Text(error, buffer[..length], kind, address);
    }

    /// <summary>Canonical text of a host given as wire bytes (a CONNECT authority, an SNI), or null with the reason. Allocates; for edges.</summary>
    public static string? Canonicalize(ReadOnlySpan<byte> host, out HostKind kind, out HostError error)
    {
        Span<byte> buffer = stackalloc byte[BufferSize];
        error = TryCanonicalize(host, buffer, out int length, out kind, out UInt128 address);
        return Text(error, buffer[..length], kind, address);
    }

    private static string? Text(HostError error, ReadOnlySpan<byte> name, HostKind kind, UInt128 address) =>
        error != HostError.None ? null
        : kind == HostKind.Name ? Encoding.ASCII.GetString(name)
        : IpLiteral.Format(address);
}
