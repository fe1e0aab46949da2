using System.Buffers;

namespace Gateway.Credentials;

/// <summary>
/// Writes the SigV4 canonical request (AWS "Create a canonical request"): method, canonical URI,
/// canonical query, canonical headers, signed headers and payload hash, each on its own line.
/// It must come out byte for byte as the service computes it from what it receives, so it is
/// written from the request as it goes on the wire, never from what the sandbox signed.
/// </summary>
internal static class SigV4CanonicalRequest
{
    /// <summary>
    /// Writes the canonical request of <paramref name="input"/> to <paramref name="output"/> and the
    /// signed-headers list (lower-case names joined by ';') to <paramref name="signedHeaders"/>.
    /// </summary>
    public static void Write(scoped in SigV4Input input, ref SigV4Writer output, ref SigV4Writer signedHeaders)
    {
        output.WriteText(input.Method);
        output.Write((byte)'\n');
        if (input.EncodePathTwice)
        {
            SigV4Path.WriteNormalizedEncoded(ref output, input.Path);
        }
        else
        {
            output.WriteText(input.Path.IsEmpty ? "/" : input.Path);
        }

        output.Write((byte)'\n');
        SigV4Query.WriteCanonical(ref output, input.Query);
        output.Write((byte)'\n');
        WriteHeaders(input.Headers, ref output, ref signedHeaders);
        output.Write((byte)'\n');
        output.Write(signedHeaders.Written);
        output.Write((byte)'\n');
        output.WriteText(input.PayloadHash);
    }

    // Sorted by lower-case name; lines of one name joined by ',' in the order they were sent.
    private static void WriteHeaders(ReadOnlySpan<SigV4Header> headers, ref SigV4Writer output, ref SigV4Writer signedHeaders)
    {
        int[] order = ArrayPool<int>.Shared.Rent(headers.Length);
        try
        {
            Span<int> indexes = order.AsSpan(0, headers.Length);
            for (int i = 0; i < indexes.Length; i++)
            {
                indexes[i] = i;
            }

            // Insertion sort: a request has a handful of headers, and it is stable, which
            // keeps the lines of one name in the order they were sent.
            for (int i = 1; i < indexes.Length; i++)
            {
                int current = indexes[i];
                int j = i - 1;
                while (j >= 0 && CompareLower(headers[indexes[j]].Name, headers[current].Name) > 0)
                {
                    indexes[j + 1] = indexes[j];
                    j--;
                }

                indexes[j + 1] = current;
            }

            for (int i = 0; i < indexes.Length; i++)
            {
                SigV4Header header = headers[indexes[i]];
                bool continues = i > 0 && SameName(headers[indexes[i - 1]].Name, header.Name);
                if (continues)
                {
                    output.Write((byte)',');
                }
                else
                {
                    if (i > 0)
                    {
                        output.Write((byte)'\n');
                        signedHeaders.Write((byte)';');
                    }

                    output.WriteLower(header.Name);
                    output.Write((byte)':');
                    signedHeaders.WriteLower(header.Name);
                }

                WriteTrimmed(ref output, header.Value);
            }

            if (indexes.Length > 0)
            {
                output.Write((byte)'\n');
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
        }
    }

    // "Trimall": no whitespace at the ends, every run of it inside becomes one space.
    private static void WriteTrimmed(ref SigV4Writer output, ReadOnlySpan<char> value)
    {
        value = value.Trim();
        while (!value.IsEmpty)
        {
            int space = value.IndexOfAny(" \t\r\n\v\f");
            if (space < 0)
            {
                output.WriteText(value);
                return;
            }

            output.WriteText(value[..space]);
            output.Write((byte)' ');
            value = value[space..].TrimStart();
        }
    }

    private static bool SameName(string a, string b) => CompareLower(a, b) == 0;

    // Ordinal order of the lower-case names (not OrdinalIgnoreCase, which folds to upper case and
    // so puts '_' before letters in a different place).
    private static int CompareLower(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int length = Math.Min(a.Length, b.Length);
        for (int i = 0; i < length; i++)
        {
            int x = a[i] is >= 'A' and <= 'Z' ? a[i] | 0x20 : a[i];
            int y = b[i] is >= 'A' and <= 'Z' ? b[i] | 0x20 : b[i];
            if (x != y)
            {
                return x - y;
            }
        }

        return a.Length - b.Length;
    }
}
