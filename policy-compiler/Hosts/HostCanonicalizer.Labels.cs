using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace PolicyCompiler.Hosts;

// Label rules of a plain ASCII name (RFC 1035 §2.3.1 as hosts use it, RFC 1123 §2.1):
// no empty label, none over 63 bytes, no hyphen at a label's edge, and a name ending in a
// number is an IPv4 address or nothing.
public static partial class HostCanonicalizer
{
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
}
