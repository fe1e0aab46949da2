using System.Buffers;

namespace Gateway.Credentials;

/// <summary>
/// The canonical query string: every parameter decoded and encoded again the SigV4 way
/// (unreserved characters as they are, everything else %XX upper case), "key=" for a key without
/// a value, sorted by key and then value in byte order, joined by '&amp;'. A client that encoded
/// correctly (botocore does) gets its own bytes back; one that did not gets what the service computes.
/// </summary>
internal static class SigV4Query
{
    /// <summary>Writes the canonical form of <paramref name="query"/> (without its '?').</summary>
    public static void WriteCanonical(ref SigV4Writer output, ReadOnlySpan<char> query)
    {
        if (query.IsEmpty)
        {
            return;
        }

        // Encoded parameters go to a scratch buffer; each as (key start, key length, value length),
        // the value following its key directly.
        var scratch = new SigV4Writer(query.Length * 3 + 16);
        int parameters = query.Count('&') + 1;
        int[] entries = ArrayPool<int>.Shared.Rent(parameters * 3);
        try
        {
            int count = 0;
            foreach (Range range in query.Split('&'))
            {
                ReadOnlySpan<char> pair = query[range];
                if (pair.IsEmpty)
                {
                    continue;
                }

                int equals = pair.IndexOf('=');
                ReadOnlySpan<char> key = equals < 0 ? pair : pair[..equals];
                ReadOnlySpan<char> value = equals < 0 ? [] : pair[(equals + 1)..];
                int keyStart = scratch.Written.Length;
                WriteReencoded(ref scratch, key);
                int valueStart = scratch.Written.Length;
                WriteReencoded(ref scratch, value);
                entries[count * 3] = keyStart;
                entries[count * 3 + 1] = valueStart - keyStart;
                entries[count * 3 + 2] = scratch.Written.Length - valueStart;
                count++;
            }

            ReadOnlySpan<byte> bytes = scratch.Written;
            int[]? rentedOrder = count > 64 ? ArrayPool<int>.Shared.Rent(count) : null;
            Span<int> order = rentedOrder is null ? stackalloc int[64] : rentedOrder;
            order = order[..count];
            for (int i = 0; i < count; i++)
            {
                order[i] = i;
            }

            for (int i = 1; i < count; i++)
            {
                int current = order[i];
                int j = i - 1;
                while (j >= 0 && Compare(bytes, entries, order[j], current) > 0)
                {
                    order[j + 1] = order[j];
                    j--;
                }

                order[j + 1] = current;
            }

            for (int i = 0; i < count; i++)
            {
                int e = order[i] * 3;
                if (i > 0)
                {
                    output.Write((byte)'&');
                }

                output.Write(bytes.Slice(entries[e], entries[e + 1]));
                output.Write((byte)'=');
                output.Write(bytes.Slice(entries[e] + entries[e + 1], entries[e + 2]));
            }

            if (rentedOrder is not null)
            {
                ArrayPool<int>.Shared.Return(rentedOrder);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(entries);
            scratch.Dispose();
        }
    }

    private static int Compare(ReadOnlySpan<byte> bytes, int[] entries, int a, int b)
    {
        int x = a * 3;
        int y = b * 3;
        int byKey = bytes.Slice(entries[x], entries[x + 1]).SequenceCompareTo(bytes.Slice(entries[y], entries[y + 1]));
        return byKey != 0
            ? byKey
            : bytes.Slice(entries[x] + entries[x + 1], entries[x + 2]).SequenceCompareTo(bytes.Slice(entries[y] + entries[y + 1], entries[y + 2]));
    }

    // %XX is decoded to its byte; other characters are taken as UTF-8; each byte is then written
    // as it is when unreserved, else %XX.
    private static void WriteReencoded(ref SigV4Writer output, ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                WriteByte(ref output, (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else if (c < 0x80)
            {
                WriteByte(ref output, (byte)c);
            }
            else
            {
                int length = char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1;
                int written = System.Text.Encoding.UTF8.GetBytes(text.Slice(i, length), utf8);
                for (int k = 0; k < written; k++)
                {
                    output.WritePercent(utf8[k]);
                }

                i += length - 1;
            }
        }
    }

    private static void WriteByte(ref SigV4Writer output, byte value)
    {
        if (value < 0x80 && SigV4Path.IsUnreserved((char)value))
        {
            output.Write(value);
        }
        else
        {
            output.WritePercent(value);
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
