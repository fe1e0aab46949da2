using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

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
        if (!Vector256.IsHardwareAccelerated || (uint)(host.Length - 1) >= PlainNameLimit || buffer.Length < PlainNameBufferSize)
        {
            return false;
        }

        // Copy in (at most) two 32-byte stores of registers gathered from in-bounds loads: a
        // byte-wise copy followed by 32-byte loads of the same bytes would stall on store forwarding.
        ref byte destination = ref MemoryMarshal.GetReference(buffer);
        if (host.Length <= Vector256<byte>.Count)
        {
            CopyChunk(host, ref destination);
        }
        else
        {
            Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(host)).StoreUnsafe(ref destination);
            CopyChunk(host[Vector256<byte>.Count..], ref Unsafe.Add(ref destination, Vector256<byte>.Count));
        }

        return ScanCopied(ref destination, host.Length, out length, out dots);
    }

    // Up to 32 bytes to destination, with one vector store where the length allows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyChunk(ReadOnlySpan<byte> chunk, ref byte destination)
    {
        if (chunk.Length == Vector256<byte>.Count)
        {
            Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(chunk)).StoreUnsafe(ref destination);
        }
        else if (TryGather(chunk, out Vector256<byte> gathered))
        {
            gathered.StoreUnsafe(ref destination);
        }
        else
        {
            chunk.CopyTo(MemoryMarshal.CreateSpan(ref destination, chunk.Length));
        }
    }

    // Bytes 0..n-1 of a 4–31 byte host in the low lanes of a vector (the lanes above n are
    // unspecified): two overlapping in-bounds loads, the second shuffled into place.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryGather(ReadOnlySpan<byte> host, out Vector256<byte> gathered)
    {
        ref byte source = ref MemoryMarshal.GetReference(host);
        int n = host.Length;
        if (n >= 16)
        {
            gathered = Assemble(Vector128.LoadUnsafe(ref source), Vector128.LoadUnsafe(ref source, (nuint)(n - 16)), n);
            return true;
        }

        if (n >= 8)
        {
            Vector128<byte> pair = Vector128.Create(
                Unsafe.ReadUnaligned<ulong>(ref source), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, n - 8))).AsByte();
            gathered = Vector256.Create(AssemblePair(pair, n), Vector128<byte>.Zero);
            return true;
        }

        if (n >= 4)
        {
            // Lanes 0–3: host[0..4]; lanes 4–7: host[n-4..n]; lane j ≥ 4 wants lane j + 8 - n.
            Vector128<byte> pair = Vector128.CreateScalar(
                Unsafe.ReadUnaligned<uint>(ref source) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref source, n - 4)) << 32)).AsByte();
            Vector128<byte> shift = Vector128.GreaterThanOrEqual(Vector128<byte>.Indices, Vector128.Create((byte)4)) & Vector128.Create((byte)(8 - n));
            gathered = Vector256.Create(Vector128.Shuffle(pair, Vector128<byte>.Indices + shift), Vector128<byte>.Zero);
            return true;
        }

        gathered = default;
        return false;
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

    /// <summary>As the UTF-8 overload, for text: narrowed once straight into <paramref name="buffer"/>; non-ASCII text is "not shown here".</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryScanPlainName(ReadOnlySpan<char> host, Span<byte> buffer, out int length, out ulong dots)
    {
        length = 0;
        dots = 0;
        if (!Vector256.IsHardwareAccelerated || (uint)(host.Length - 1) >= PlainNameLimit || buffer.Length < PlainNameBufferSize)
        {
            return false;
        }

        ref byte destination = ref MemoryMarshal.GetReference(buffer);
        bool ascii = host.Length <= Vector256<byte>.Count
            ? NarrowChunk(host, ref destination)
            : NarrowChunk(host[..Vector256<byte>.Count], ref destination)
                && NarrowChunk(host[Vector256<byte>.Count..], ref Unsafe.Add(ref destination, Vector256<byte>.Count));
        return ascii && ScanCopied(ref destination, host.Length, out length, out dots);
    }

    // Up to 32 chars to destination as bytes, false if one is not ASCII. As CopyChunk: narrowed
    // in registers from in-bounds loads and stored once, where the length allows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool NarrowChunk(ReadOnlySpan<char> chunk, ref byte destination)
    {
        ref ushort source = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(chunk));
        int n = chunk.Length;
        Vector256<ushort> nonAscii = Vector256.Create((ushort)0xFF80);
        if (n >= 16)
        {
            Vector256<ushort> low = Vector256.LoadUnsafe(ref source);
            Vector256<ushort> high = Vector256.LoadUnsafe(ref source, (nuint)(n - 16));
            if (((low | high) & nonAscii) != Vector256<ushort>.Zero)
            {
                return false;
            }

            Vector128<byte> lowBytes = Vector128.Narrow(low.GetLower(), low.GetUpper());
            Vector128<byte> highBytes = Vector128.Narrow(high.GetLower(), high.GetUpper());
            (n == Vector256<byte>.Count ? Vector256.Create(lowBytes, highBytes) : Assemble(lowBytes, highBytes, n)).StoreUnsafe(ref destination);
            return true;
        }

        if (n >= 8)
        {
            Vector128<ushort> low = Vector128.LoadUnsafe(ref source);
            Vector128<ushort> high = Vector128.LoadUnsafe(ref source, (nuint)(n - 8));
            if (((low | high) & nonAscii.GetLower()) != Vector128<ushort>.Zero)
            {
                return false;
            }

            Vector256.Create(AssemblePair(Vector128.Narrow(low, high), n), Vector128<byte>.Zero).StoreUnsafe(ref destination);
            return true;
        }

        return Ascii.FromUtf16(chunk, MemoryMarshal.CreateSpan(ref destination, n), out _) == System.Buffers.OperationStatus.Done;
    }

    // buffer[..count] holds the host (1..64 bytes); the buffer has at least 64 readable bytes.
    private static bool ScanCopied(ref byte buffer, int count, out int length, out ulong dots)
    {
        length = 0;
        dots = 0;
        Scan(ref buffer, out uint valid, out uint dot, out uint hyphen);
        ulong validMask = valid;
        ulong dotMask = dot;
        ulong hyphenMask = hyphen;
        if (count > Vector256<byte>.Count)
        {
            Scan(ref Unsafe.Add(ref buffer, Vector256<byte>.Count), out valid, out dot, out hyphen);
            validMask |= (ulong)valid << 32;
            dotMask |= (ulong)dot << 32;
            hyphenMask |= (ulong)hyphen << 32;
        }

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
        if ((uint)(Unsafe.Add(ref buffer, lastLabelStart) - '0') <= 9)
        {
            return false;
        }

        length = nameLength;
        dots = dotMask;
        return true;
    }

    // 32 bytes at once: lower-cases them in place and returns which are name bytes
    // (letters, digits, '-', '_', '.'), dots and hyphens, one bit per byte.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scan(ref byte at, out uint valid, out uint dot, out uint hyphen)
    {
        Vector256<byte> v = Vector256.LoadUnsafe(ref at);
        Vector256<byte> upper = Vector256.LessThanOrEqual(v - Vector256.Create((byte)'A'), Vector256.Create((byte)('Z' - 'A')));
        Vector256<byte> lower = Vector256.LessThanOrEqual(v - Vector256.Create((byte)'a'), Vector256.Create((byte)('z' - 'a')));
        Vector256<byte> digit = Vector256.LessThanOrEqual(v - Vector256.Create((byte)'0'), Vector256.Create((byte)9));
        Vector256<byte> dots = Vector256.Equals(v, Vector256.Create((byte)'.'));
        Vector256<byte> hyphens = Vector256.Equals(v, Vector256.Create((byte)'-'));
        Vector256<byte> underscores = Vector256.Equals(v, Vector256.Create((byte)'_'));
        (v | (upper & Vector256.Create((byte)0x20))).StoreUnsafe(ref at);
        valid = (upper | lower | digit | dots | hyphens | underscores).ExtractMostSignificantBits();
        dot = dots.ExtractMostSignificantBits();
        hyphen = hyphens.ExtractMostSignificantBits();
    }
}
