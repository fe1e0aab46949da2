using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Benchmarks;

/// <summary>
/// The held-credential index as it was before the scan loop was tuned (kept verbatim for the A/B in
/// <see cref="DlpCredentialBenchmarks"/>): one sampled 4-character gram per stride, tested against a bitmap,
/// looked up in a dictionary on a set bit. Same algorithm and needles as the gateway's index.
/// </summary>
internal sealed class SampledGramsBaseline
{
    private const int Gram = 4;
    private const ulong Fibonacci = 0x9E3779B97F4A7C15;

    private readonly string[] _needles;
    private readonly ulong[] _bitmap;
    private readonly int _shift;
    private readonly Dictionary<ulong, (int Needle, int Offset)[]> _grams;

    public SampledGramsBaseline(IReadOnlyCollection<string> needles)
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
            ulong slot = Slot(gram);
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

        ref char start = ref MemoryMarshal.GetReference(text);
        int last = text.Length - Gram;
        for (int at = 0; at <= last; at += Stride)
        {
            ulong gram = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<char, byte>(ref Unsafe.Add(ref start, at)));
            ulong slot = Slot(gram);
            if ((_bitmap[slot >> 6] & (1UL << (int)(slot & 63))) != 0 && Verify(text, at, gram))
            {
                return true;
            }
        }

        return false;
    }

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Slot(ulong gram) => (gram * Fibonacci) >> _shift;

    private static ulong Read(string text, int at) =>
        MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(text.AsSpan(at, Gram)));
}
