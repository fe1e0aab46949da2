using System.Text;

namespace Gateway.Interception.Dlp;

/// <summary>
/// The forms a held credential value is searched for: as it is, URL-encoded, hex (both cases), and base64 and
/// base64url at each of the three byte alignments. A secret inside a larger encoded blob (a Basic
/// <c>user:secret</c>, a JSON document that was base64-encoded) starts at any byte offset, and its base64
/// differs per offset modulo 3; for each offset only the characters determined by the secret's own bits are
/// kept, so the needle matches whatever surrounds the secret.
/// </summary>
internal static class DlpEncodings
{
    /// <summary>Values shorter than this are not searched for: a short value would match ordinary text.</summary>
    public const int MinValueLength = 8;

    /// <summary>
    /// Forms longer than this are searched for by their first this-many characters. Every occurrence of the
    /// whole form contains its prefix, so nothing is missed; 256 characters of a held value (128 bytes even in
    /// hex) are as unique as the value. It bounds what a streamed scan carries between windows, and so the
    /// memory per request, whatever length a held value has (a key file, a minted token).
    /// </summary>
    public const int MaxFormLength = 256;

    /// <summary>Adds every searched form of <paramref name="value"/> to <paramref name="forms"/> (duplicates left to the caller).</summary>
    public static void AddForms(string value, ICollection<string> forms)
    {
        if (value.Length < MinValueLength)
        {
            return;
        }

        Add(forms, value);
        string escaped = Uri.EscapeDataString(value);
        if (!string.Equals(escaped, value, StringComparison.Ordinal))
        {
            Add(forms, escaped);
        }

        byte[] bytes = Encoding.UTF8.GetBytes(value);
        Add(forms, Convert.ToHexStringLower(bytes));
        Add(forms, Convert.ToHexString(bytes));
        for (int offset = 0; offset < 3; offset++)
        {
            string aligned = Aligned(bytes, offset);
            Add(forms, aligned);
            string url = aligned.Replace('+', '-').Replace('/', '_');
            if (!string.Equals(url, aligned, StringComparison.Ordinal))
            {
                Add(forms, url);
            }
        }
    }

    private static void Add(ICollection<string> forms, string form) =>
        forms.Add(form.Length > MaxFormLength ? form[..MaxFormLength] : form);

    // The base64 of the secret preceded by `offset` bytes, cut to the characters whose 6 bits all come from
    // the secret: from ceil(8·offset / 6) to floor(8·(offset + n) / 6), exclusive.
    private static string Aligned(byte[] secret, int offset)
    {
        var padded = new byte[offset + secret.Length];
        secret.CopyTo(padded, offset);
        string encoded = Convert.ToBase64String(padded);
        int start = ((8 * offset) + 5) / 6;
        int end = 8 * (offset + secret.Length) / 6;
        return encoded[start..end];
    }
}
