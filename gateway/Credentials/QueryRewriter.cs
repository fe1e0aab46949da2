using System.Text;

namespace Gateway.Credentials;

/// <summary>
/// Applies <see cref="QueryEdit"/>s to the query of an upstream URL (RFC 3986 §3.4, the
/// application/x-www-form-urlencoded convention of <c>name=value</c> pairs joined by <c>&amp;</c>).
/// A credential parameter replaces every occurrence the sandbox sent, however it was
/// percent-encoded, so the upstream cannot be handed two values and pick the sandbox's.
/// </summary>
internal static class QueryRewriter
{
    /// <summary>The raw value of the first <paramref name="name"/> parameter in <paramref name="query"/> (no leading '?'), or "".</summary>
    public static string ValueOf(ReadOnlySpan<char> query, string name)
    {
        foreach (Range range in query.Split('&'))
        {
            ReadOnlySpan<char> pair = query[range];
            int equals = pair.IndexOf('=');
            ReadOnlySpan<char> key = equals < 0 ? pair : pair[..equals];
            if (NameIs(key, name))
            {
                return equals < 0 ? "" : pair[(equals + 1)..].ToString();
            }
        }

        return "";
    }

    /// <summary><paramref name="query"/> (no leading '?') with <paramref name="edits"/> applied.</summary>
    public static string Rewrite(string query, List<QueryEdit> edits)
    {
        foreach (QueryEdit edit in edits)
        {
            if (!edit.IsParameter)
            {
                query = query.Replace(edit.Key, edit.EscapedValue, StringComparison.Ordinal);
            }
        }

        var builder = new StringBuilder(query.Length + 64);
        foreach (Range range in query.AsSpan().Split('&'))
        {
            ReadOnlySpan<char> pair = query.AsSpan()[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            int equals = pair.IndexOf('=');
            ReadOnlySpan<char> key = equals < 0 ? pair : pair[..equals];
            if (!IsEditedParameter(key, edits))
            {
                Append(builder, pair);
            }
        }

        foreach (QueryEdit edit in edits)
        {
            if (edit.IsParameter)
            {
                Append(builder, edit.Key);
                builder.Append('=').Append(edit.EscapedValue);
            }
        }

        return builder.ToString();
    }

    private static bool IsEditedParameter(ReadOnlySpan<char> key, List<QueryEdit> edits)
    {
        foreach (QueryEdit edit in edits)
        {
            if (edit.IsParameter && NameIs(key, edit.Key))
            {
                return true;
            }
        }

        return false;
    }

    private static bool NameIs(ReadOnlySpan<char> raw, string name)
    {
        if (raw.SequenceEqual(name))
        {
            return true;
        }

        // "k%65y" and "k+ey"-style spellings decode to the same name on the upstream.
        return (raw.Contains('%') || raw.Contains('+'))
            && string.Equals(Uri.UnescapeDataString(raw.ToString().Replace('+', ' ')), name, StringComparison.Ordinal);
    }

    private static void Append(StringBuilder builder, ReadOnlySpan<char> text)
    {
        if (builder.Length > 0)
        {
            builder.Append('&');
        }

        builder.Append(text);
    }
}
