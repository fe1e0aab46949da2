using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gateway.Interception.Dlp;

/// <summary>
/// Finds the searched forms of held credential values. A multi-string search over many long needles (ten
/// credentials are ~100 forms) slows a vectorised prefix search to an automaton's pace, so held values are found
/// by sampling instead: every needle is at least <see cref="DlpEncodings.MinValueLength"/> characters long, so
/// any occurrence contains a 4-character gram starting at a position that is a multiple of the stride
/// (shortest needle − 3). The scan reads one gram per stride, tests a bitmap of every gram of every needle
/// (Fibonacci hash, a few percent dense), and only on a set bit looks the gram up and compares the needles it
/// belongs to at the offset it has in them. The cost is one sample per stride, whatever the number of needles,
/// so the slowest case is the shortest held value (8 characters: a stride of 5); perf/results/dlp.md has the
/// figures. Built once per <see cref="HeldSecrets"/> change, never by a scan; read-only after.
/// </summary>
internal sealed class DlpCredentialIndex
{
    private const int Gram = 4;
    private const ulong Fibonacci = 0x9E3779B97F4A7C15;

    private readonly string[] _needles;
    private readonly ulong[] _bitmap;
    private readonly int _shift;
    private readonly Dictionary<ulong, (int Needle, int Offset)[]> _grams;

    public DlpCredentialIndex(IReadOnlyCollection<string> needles)
    {
        _needles = [.. needles];
        int shortest = int.MaxValue;
        var grams = new Dictionary<ulong, List<(int, int)>>();
        for (int n = 0; n < _needles.Length; n++)
        {
            string needle = _needles[n];
            shortest = Math.Min(shortest, needle.Length);
            for (int offset = 0; offset + Gram <= needle.Length; offset++)
            {
                ulong gram = Read(needle, offset);
                if (!grams.TryGetValue(gram, out List<(int, int)>? entries))
                {
                    grams[gram] = entries = [];
                }

                entries.Add((n, offset));
            }
        }

        // At least 32 bits per gram keeps the bitmap ~3 % dense; 2^16..2^22 bits (8 KiB..512 KiB).
        int bits = Math.Clamp(BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, grams.Count * 32))), 16, 22);
        _shift = 64 - bits;
        _bitmap = new ulong[(1 << bits) / 64];
        _grams = new Dictionary<ulong, (int, int)[]>(grams.Count);
        foreach ((ulong gram, List<(int, int)> entries) in grams)
        {
            ulong slot = (gram * Fibonacci) >> _shift;
            _bitmap[slot >> 6] |= 1UL << (int)(slot & 63);
            _grams[gram] = [.. entries];
        }

        IsEmpty = _needles.Length == 0;
        Stride = IsEmpty ? 1 : Math.Max(1, shortest - Gram + 1);
    }

    /// <summary>True when no value is held: the scan is skipped.</summary>
    public bool IsEmpty { get; }

    /// <summary>Characters between sampled grams.</summary>
    public int Stride { get; }

    /// <summary>True when some needle occurs entirely inside <paramref name="text"/>.</summary>
    public bool Occurs(ReadOnlySpan<char> text)
    {
        if (IsEmpty)
        {
            return false;
        }

        // Fields copied to locals and the bitmap read without bounds checks (a slot is below 2^bits by
        // construction): the loop is a few loads, a multiply and a shift per sample, nothing else.
        ref byte start = ref Unsafe.As<char, byte>(ref MemoryMarshal.GetReference(text));
        ref ulong bitmap = ref MemoryMarshal.GetArrayDataReference(_bitmap);
        int shift = _shift;
        int stride = Stride;
        int last = text.Length - Gram;
        int at = 0;

        // Four samples per round, their bits OR-ed: the four loads and hashes are independent, so they overlap
        // in the pipeline instead of waiting on one another's branch; a set bit is rare and re-checked one by one.
        for (int round = 3 * stride; at + round <= last; at += 4 * stride)
        {
            ulong a = Read(ref start, at);
            ulong b = Read(ref start, at + stride);
            ulong c = Read(ref start, at + (2 * stride));
            ulong d = Read(ref start, at + round);
            if ((Bit(ref bitmap, a, shift) | Bit(ref bitmap, b, shift) | Bit(ref bitmap, c, shift) | Bit(ref bitmap, d, shift)) != 0
                && (Check(text, at, a) || Check(text, at + stride, b) || Check(text, at + (2 * stride), c) || Check(text, at + round, d)))
            {
                return true;
            }
        }

        for (; at <= last; at += stride)
        {
            ulong gram = Read(ref start, at);
            if (Bit(ref bitmap, gram, shift) != 0 && Verify(text, at, gram))
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Read(ref byte start, int at) =>
        Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, (nint)at * sizeof(char)));

    // The slot's bit, in bit 0. A shift count is taken modulo 64, so the low six bits of the slot pick the bit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Bit(ref ulong bitmap, ulong gram, int shift)
    {
        ulong slot = (gram * Fibonacci) >> shift;
        return (Unsafe.Add(ref bitmap, (nint)(slot >> 6)) >> (int)slot) & 1;
    }

    private bool Check(ReadOnlySpan<char> text, int at, ulong gram) =>
        Bit(ref MemoryMarshal.GetArrayDataReference(_bitmap), gram, _shift) != 0 && Verify(text, at, gram);

    private bool Verify(ReadOnlySpan<char> text, int at, ulong gram)
    {
        if (!_grams.TryGetValue(gram, out (int Needle, int Offset)[]? entries))
        {
            return false;
        }

        foreach ((int needle, int offset) in entries)
        {
            int from = at - offset;
            string value = _needles[needle];
            if (from >= 0 && from + value.Length <= text.Length && text.Slice(from, value.Length).SequenceEqual(value))
            {
                return true;
            }
        }

        return false;
    }

    private static ulong Read(string text, int at) =>
        MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(text.AsSpan(at, Gram)));
}
