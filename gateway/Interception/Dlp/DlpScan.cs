namespace Gateway.Interception.Dlp;

/// <summary>Scans one complete field (a header name or value, a request target) for a secret.</summary>
internal static class DlpScan
{
    /// <summary>
    /// The first secret in <paramref name="text"/>, or <see cref="DlpPattern.None"/>. <paramref name="identityHeader"/>
    /// for Authorization and Cookie values (see <see cref="DlpShapes.Verify"/>).
    /// </summary>
    public static DlpPattern Text(DlpNeedles needles, ReadOnlySpan<char> text, bool identityHeader, in DlpContext context)
    {
        int position = 0;
        while (position < text.Length)
        {
            int found = text[position..].IndexOfAny(needles.Starts);
            if (found < 0)
            {
                return DlpPattern.None;
            }

            int at = position + found;
            DlpPattern pattern = needles.VerifyAt(text, at, at > 0 ? text[at - 1] : '\0', final: true, identityHeader, context, out _);
            if (pattern != DlpPattern.None)
            {
                return pattern;
            }

            position = at + 1;
        }

        return DlpPattern.None;
    }
}
