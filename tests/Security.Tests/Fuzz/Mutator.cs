using CsCheck;

namespace Security.Tests.Fuzz;

/// <summary>
/// Inputs for a parser: seeds from its corpus mutated the way AFL's havoc stage does (bit flips,
/// interesting bytes, inserted and deleted runs, spliced seeds, truncation), plus raw random
/// bytes. Mutations are driven by a generated 64-bit seed, so every failing input is replayable.
/// </summary>
internal static class Mutator
{
    // Bytes that mean something to the parsers here: line ends, separators, length-ish extremes.
    private static readonly byte[] s_interesting = [0, 1, 0x7F, 0x80, 0xFF, (byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', (byte)':', (byte)'.', (byte)'@', (byte)'[', (byte)']', (byte)'%', (byte)'/', 0x3F, 0x40, 0xC0, 0x16, 0x03];

    /// <summary>Mutated seeds (nine in ten) and random bytes up to <paramref name="maxRandom"/> long.</summary>
    public static Gen<byte[]> Inputs(IReadOnlyList<byte[]> corpus, int maxRandom = 1024) =>
        Gen.Frequency(
            (9, Gen.ULong.Select(seed => Mutate(corpus, seed))),
            (1, Gen.Byte.Array[0, maxRandom]));

    /// <summary>An input and a split point inside it, for parsers that must agree across segments.</summary>
    public static Gen<(byte[] Bytes, int Split)> WithSplit(Gen<byte[]> inputs) =>
        inputs.SelectMany(bytes => Gen.Int[0, bytes.Length].Select(split => (bytes, split)));

    public static byte[] Mutate(IReadOnlyList<byte[]> corpus, ulong seed)
    {
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var bytes = new List<byte>(corpus[random.Next(corpus.Count)]);
        int mutations = 1 << random.Next(4);
        for (int m = 0; m < mutations; m++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(9))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = s_interesting[random.Next(s_interesting.Length)];
                    break;
                case 2:
                    bytes.Insert(at, s_interesting[random.Next(s_interesting.Length)]);
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(16)));
                    break;
                case 4 when bytes.Count > 0:
                    int length = Math.Min(bytes.Count - at, 1 + random.Next(64));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 5:
                    byte[] other = corpus[random.Next(corpus.Count)];
                    int from = other.Length == 0 ? 0 : random.Next(other.Length);
                    bytes.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + random.Next(128))).ToArray());
                    break;
                case 6 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 7 when bytes.Count > 1:
                    // A length-like 16-bit field set to an extreme.
                    int value = random.Next(4) switch { 0 => 0, 1 => 0xFFFF, 2 => bytes.Count, _ => random.Next(0x10000) };
                    bytes[at] = (byte)(value >> 8);
                    if (at + 1 < bytes.Count)
                    {
                        bytes[at + 1] = (byte)value;
                    }

                    break;
                default:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
            }
        }

        return [.. bytes];
    }
}
