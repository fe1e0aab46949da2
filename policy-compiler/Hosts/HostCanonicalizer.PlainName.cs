using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PolicyCompiler.Hosts;

// The decision fast path: one vector pass that copies, lower-cases and validates a short
// plain name and finds its dots. It only ever says "this is a plain name, here it is"; for
// anything else (IP literals, IDN, errors, long names, a last label starting with a digit)
// it says nothing and the caller runs the full canonicaliser, which then decides exactly as
// it always has. So it can be wrong only by being slower, never by answering differently.
public static partial class HostCanonicalizer
{
    /// <summary>The longest input <see cref="TryScanPlainName(ReadOnlySpan{byte}, Span{byte}, out int, out ulong)"/> takes: the dots fit one <c>ulong</c>.</summary>
    internal const int PlainNameLimit = 64;

    /// <summary>
    /// The buffer the plain-name scan writes to: <see cref="PlainNameLimit"/> bytes plus
    /// 32 more, so the whole-vector loads and the 8-byte label reads past the name stay inside it.
    /// </summary>
    internal const int PlainNameBufferSize = PlainNameLimit + 32;

    /// <summary>
    /// Canonicalises <paramref name="host"/> if it is a plain ASCII name of at most
    /// <see cref="PlainNameLimit"/> bytes whose last label does not start with a digit:
    /// writes the lower-cased name (without a trailing dot) to <paramref name="buffer"/>
    /// (<see cref="PlainNameBufferSize"/> long; what lies past <paramref name="length"/> is
    /// unspecified) and sets bit <c>i</c> of <paramref name="dots"/> for a dot at offset <c>i</c>.
    /// False means "not shown here": <see cref="TryCanonicalize(ReadOnlySpan{byte}, Span{byte}, out int, out HostKind, out UInt128)"/> decides.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryScanPlainName(ReadOnlySpan<byte> host, Span<byte> buffer, out int length, out ulong dots)
    {
        length = 0;
        dots = 0;
        int n = host.Length;
        if (!Vector256.IsHardwareAccelerated || (uint)(n - MinPlainName) > PlainNameLimit - MinPlainName || buffer.Length < PlainNameBufferSize)
        {
            return false;
        }

        // The host is gathered into registers from in-bounds loads and validated there; the
        // buffer is written once, never read back here (a store then a reload of the same bytes
        // waits on store forwarding, and a reload wider than the store on the store itself).
        ref byte source = ref MemoryMarshal.GetReference(host);
        Vector256<byte> head;
        Vector256<byte> tail = default;
        if (n <= Vector256<byte>.Count)
        {
            head = n == Vector256<byte>.Count ? Vector256.LoadUnsafe(ref source) : Gather(ref source, n);
        }
        else
        {
            head = Vector256.LoadUnsafe(ref source);
            if (Avx512Vbmi.VL.IsSupported)
            {
                tail = ShiftDown(Vector256.LoadUnsafe(ref source, (nuint)(n - Vector256<byte>.Count)), n);
            }
            else if (n - Vector256<byte>.Count >= MinPlainName)
            {
                tail = Gather(ref Unsafe.Add(ref source, Vector256<byte>.Count), n - Vector256<byte>.Count);
            }
            else
            {
                return false;
            }
        }

        return Scan(head, tail, n, ref MemoryMarshal.GetReference(buffer), out length, out dots);
    }

    // The shortest host the gathers take (4 bytes); shorter ones go to the full path.
    private const int MinPlainName = 4;

    // Bytes 0..n-1 of a 4–31 byte host in the low lanes of a vector (the lanes above n are
    // unspecified): two overlapping in-bounds loads, the second shuffled into place.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Gather(ref byte source, int n)
    {
        if (n >= 16)
        {
            return Assemble(Vector128.LoadUnsafe(ref source), Vector128.LoadUnsafe(ref source, (nuint)(n - 16)), n);
        }

        if (n >= 8)
        {
            Vector128<byte> pair = Vector128.Create(
                Unsafe.ReadUnaligned<ulong>(ref source), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, n - 8))).AsByte();
            return Vector256.Create(AssemblePair(pair, n), Vector128<byte>.Zero);
        }

        Vector128<byte> quad = Vector128.CreateScalar(
            Unsafe.ReadUnaligned<uint>(ref source) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref source, n - 4)) << 32)).AsByte();
        return Vector256.Create(AssembleQuad(quad, n), Vector128<byte>.Zero);
    }

    // A 16–31 byte host from its first and last 16 bytes: upper lane j holds host[16 + j] = last[j + 32 - n].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Assemble(Vector128<byte> first, Vector128<byte> last, int n) =>
        Vector256.Create(first, Vector128.Shuffle(last, Vector128<byte>.Indices + Vector128.Create((byte)(32 - n))));

    // An 8–15 byte host from lanes 0–7 = host[0..8] and lanes 8–15 = host[n-8..n]: lane j ≥ 8
    // wants host[j], which is lane j + 16 - n.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> AssemblePair(Vector128<byte> pair, int n)
    {
        Vector128<byte> shift = Vector128.GreaterThanOrEqual(Vector128<byte>.Indices, Vector128.Create((byte)8)) & Vector128.Create((byte)(16 - n));
        return Vector128.Shuffle(pair, Vector128<byte>.Indices + shift);
    }

    // A 4–7 byte host from lanes 0–3 = host[0..4] and lanes 4–7 = host[n-4..n]: lane j ≥ 4 wants lane j + 8 - n.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> AssembleQuad(Vector128<byte> quad, int n)
    {
        Vector128<byte> shift = Vector128.GreaterThanOrEqual(Vector128<byte>.Indices, Vector128.Create((byte)4)) & Vector128.Create((byte)(8 - n));
        return Vector128.Shuffle(quad, Vector128<byte>.Indices + shift);
    }

    // Bytes 32..n-1 of a 33–64 byte host from its last 32 bytes (last[j] = host[n - 32 + j]):
    // lane j wants last[j + 64 - n]; lanes past the host wrap around and are unspecified.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> ShiftDown(Vector256<byte> last, int n) =>
        Avx512Vbmi.VL.PermuteVar32x8(last, Vector256<byte>.Indices + Vector256.Create((byte)(64 - n)));

    /// <summary>As the UTF-8 overload, for text: narrowed in registers; non-ASCII text is "not shown here".</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryScanPlainName(ReadOnlySpan<char> host, Span<byte> buffer, out int length, out ulong dots)
    {
        length = 0;
        dots = 0;
        int n = host.Length;
        if (!Vector256.IsHardwareAccelerated || (uint)(n - MinPlainName) > PlainNameLimit - MinPlainName || buffer.Length < PlainNameBufferSize)
        {
            return false;
        }

        ref ushort source = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(host));
        Vector256<byte> head;
        Vector256<byte> tail = default;
        if (n <= Vector256<byte>.Count)
        {
            if (!TryNarrow(ref source, n, out head))
            {
                return false;
            }
        }
        else if (Avx512Vbmi.VL.IsSupported)
        {
            // chars 0..31 and n-32..n-1, four loads; the second 32 shifted down into place.
            Vector256<ushort> a = Vector256.LoadUnsafe(ref source);
            Vector256<ushort> b = Vector256.LoadUnsafe(ref source, 16);
            Vector256<ushort> c = Vector256.LoadUnsafe(ref source, (nuint)(n - 32));
            Vector256<ushort> d = Vector256.LoadUnsafe(ref source, (nuint)(n - 16));
            if (((a | b | c | d) & Vector256.Create((ushort)0xFF80)) != Vector256<ushort>.Zero)
            {
                return false;
            }

            head = Vector256.Narrow(a, b);
            tail = ShiftDown(Vector256.Narrow(c, d), n);
        }
        else if (!TryNarrow(ref source, Vector256<byte>.Count, out head)
            || n - Vector256<byte>.Count < MinPlainName
            || !TryNarrow(ref Unsafe.Add(ref source, Vector256<byte>.Count), n - Vector256<byte>.Count, out tail))
        {
            return false;
        }

        return Scan(head, tail, n, ref MemoryMarshal.GetReference(buffer), out length, out dots);
    }

    // Chars 0..n-1 (4–32 of them) as bytes in the low lanes of a vector, false if one is not ASCII.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryNarrow(ref ushort source, int n, out Vector256<byte> narrowed)
    {
        Vector128<ushort> nonAscii = Vector128.Create((ushort)0xFF80);
        if (n >= 16)
        {
            Vector256<ushort> low = Vector256.LoadUnsafe(ref source);
            Vector256<ushort> high = Vector256.LoadUnsafe(ref source, (nuint)(n - 16));
            Vector128<byte> lowBytes = Vector128.Narrow(low.GetLower(), low.GetUpper());
            Vector128<byte> highBytes = Vector128.Narrow(high.GetLower(), high.GetUpper());
            narrowed = n == Vector256<byte>.Count ? Vector256.Create(lowBytes, highBytes) : Assemble(lowBytes, highBytes, n);
            return ((low | high) & Vector256.Create(nonAscii, nonAscii)) == Vector256<ushort>.Zero;
        }

        if (n >= 8)
        {
            Vector128<ushort> low = Vector128.LoadUnsafe(ref source);
            Vector128<ushort> high = Vector128.LoadUnsafe(ref source, (nuint)(n - 8));
            narrowed = Vector256.Create(AssemblePair(Vector128.Narrow(low, high), n), Vector128<byte>.Zero);
            return ((low | high) & nonAscii) == Vector128<ushort>.Zero;
        }

        Vector128<ushort> quad = Vector128.Create(
            Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref source)),
            Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref source, n - 4)))).AsUInt16();
        narrowed = Vector256.Create(AssembleQuad(Vector128.Narrow(quad, Vector128<ushort>.Zero), n), Vector128<byte>.Zero);
        return (quad & nonAscii) == Vector128<ushort>.Zero;
    }

    // head holds host bytes 0..31, tail bytes 32..63 (used when count > 32); lanes past count
    // are unspecified. Lower-cases into buffer (its only write) and checks the name on bit masks.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Scan(Vector256<byte> head, Vector256<byte> tail, int count, ref byte buffer, out int length, out ulong dots)
    {
        length = 0;
        dots = 0;
        ulong validMask = Classify(ref head, out uint dot, out uint hyphen, out uint digit);
        ulong dotMask = dot;
        ulong hyphenMask = hyphen;
        ulong digitMask = digit;
        if (count > Vector256<byte>.Count)
        {
            validMask |= (ulong)Classify(ref tail, out dot, out hyphen, out digit) << 32;
            dotMask |= (ulong)dot << 32;
            hyphenMask |= (ulong)hyphen << 32;
            digitMask |= (ulong)digit << 32;
        }

        head.StoreUnsafe(ref buffer);
        tail.StoreUnsafe(ref buffer, (nuint)Vector256<byte>.Count);

        // Every byte of the input, the trailing dot included, must be a name byte (s_nameBytes).
        ulong inputMask = ulong.MaxValue >> (64 - count);
        if ((~validMask & inputMask) != 0)
        {
            return false;
        }

        // One trailing dot names the same host (RFC 1034 §3.1, fully qualified form).
        int nameLength = count - (int)((dotMask >> (count - 1)) & 1);
        if (nameLength is 0 or > MaxLabelLength)
        {
            // Empty, or long enough that one label might exceed 63 bytes: the full path counts.
            return false;
        }

        ulong nameMask = ulong.MaxValue >> (64 - nameLength);
        dotMask &= nameMask;
        hyphenMask &= nameMask;

        // The first and last byte of every label: after a dot or at 0, before a dot or at the
        // end. A dot there is an empty label, a hyphen there a hyphen at a label's edge.
        ulong edges = (dotMask << 1) | 1 | (dotMask >> 1) | (1UL << (nameLength - 1));
        if ((edges & (dotMask | hyphenMask)) != 0)
        {
            return false;
        }

        // A last label starting with a digit may make the name an IPv4 address or refuse it
        // ("127.1", WHATWG "ends in a number"): the full path decides.
        int lastLabelStart = 64 - BitOperations.LeadingZeroCount(dotMask);
        if (((digitMask >> lastLabelStart) & 1) != 0)
        {
            return false;
        }

        length = nameLength;
        dots = dotMask;
        return true;
    }

    // 32 bytes at once: lower-cases them in place and returns which are name bytes
    // (letters, digits, '-', '_', '.'), and which are dots, hyphens and digits, one bit per byte.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Classify(ref Vector256<byte> v, out uint dot, out uint hyphen, out uint digit)
    {
        Vector256<byte> upper = Vector256.LessThanOrEqual(v - Vector256.Create((byte)'A'), Vector256.Create((byte)('Z' - 'A')));
        Vector256<byte> lower = Vector256.LessThanOrEqual(v - Vector256.Create((byte)'a'), Vector256.Create((byte)('z' - 'a')));
        Vector256<byte> digits = Vector256.LessThanOrEqual(v - Vector256.Create((byte)'0'), Vector256.Create((byte)9));
        Vector256<byte> dots = Vector256.Equals(v, Vector256.Create((byte)'.'));
        Vector256<byte> hyphens = Vector256.Equals(v, Vector256.Create((byte)'-'));
        Vector256<byte> underscores = Vector256.Equals(v, Vector256.Create((byte)'_'));
        v |= upper & Vector256.Create((byte)0x20);
        dot = dots.ExtractMostSignificantBits();
        hyphen = hyphens.ExtractMostSignificantBits();
        digit = digits.ExtractMostSignificantBits();
        return (upper | lower | digits | dots | hyphens | underscores).ExtractMostSignificantBits();
    }
}
