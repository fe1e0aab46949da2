using System.Buffers;

namespace Gateway.Credentials;

/// <summary>
/// The canonical URI of every service but S3: the path as received, with "." and ".." segments
/// resolved (RFC 3986 §5.2.4) and empty segments dropped, then each segment percent-encoded
/// once more, so an already-encoded "%20" is signed as "%2520". This is how the services (and
/// botocore) compute it.
/// </summary>
internal static class SigV4Path
{
    private static readonly SearchValues<char> s_unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~");

    /// <summary>True for the characters SigV4 leaves as they are (RFC 3986 unreserved).</summary>
    public static bool IsUnreserved(char c) => s_unreserved.Contains(c);

    /// <summary>Writes the normalised, re-encoded form of <paramref name="path"/>.</summary>
    public static void WriteNormalizedEncoded(ref SigV4Writer output, ReadOnlySpan<char> path)
    {
        if (path.IsEmpty)
        {
            output.Write((byte)'/');
            return;
        }

        // Each kept segment as (start, length); ".." drops the last one kept.
        int[] kept = ArrayPool<int>.Shared.Rent(path.Length + 2);
        try
        {
            int count = 0;
            int start = 0;
            while (start <= path.Length)
            {
                int slash = path[start..].IndexOf('/');
                int end = slash < 0 ? path.Length : start + slash;
                ReadOnlySpan<char> segment = path[start..end];
                if (segment is "..")
                {
                    count = Math.Max(0, count - 2);
                }
                else if (!segment.IsEmpty && segment is not ".")
                {
                    kept[count++] = start;
                    kept[count++] = end - start;
                }

                start = end + 1;
            }

            if (path[0] == '/')
            {
                output.Write((byte)'/');
            }

            for (int i = 0; i < count; i += 2)
            {
                if (i > 0)
                {
                    output.Write((byte)'/');
                }

                WriteEncoded(ref output, path.Slice(kept[i], kept[i + 1]));
            }

            if (path[^1] == '/' && count > 0)
            {
                output.Write((byte)'/');
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(kept);
        }
    }

    /// <summary>Writes <paramref name="text"/> with every byte of its UTF-8 form that is not unreserved as %XX.</summary>
    public static void WriteEncoded(ref SigV4Writer output, ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        while (!text.IsEmpty)
        {
            int escaped = text.IndexOfAnyExcept(s_unreserved);
            if (escaped < 0)
            {
                output.WriteText(text);
                return;
            }

            output.WriteText(text[..escaped]);
            text = text[escaped..];
            int length = char.IsHighSurrogate(text[0]) && text.Length > 1 ? 2 : 1;
            int written = System.Text.Encoding.UTF8.GetBytes(text[..length], utf8);
            for (int i = 0; i < written; i++)
            {
                output.WritePercent(utf8[i]);
            }

            text = text[length..];
        }
    }
}
