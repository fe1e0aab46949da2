namespace Gateway.Interception.Dlp;

/// <summary>Scans one complete field (a header name or value, a request target) for a secret.</summary>
internal static class DlpScan
{
    /// <summary>
    /// The first secret in <paramref name="text"/>, or <see cref="DlpPattern.None"/>. <paramref name="identityHeader"/>
    /// for Authorization and Cookie values (see <see cref="DlpShapes.Verify"/>).
    /// </summary>
    public static DlpPattern Text(DlpNeedles needles, ReadOnlySpan<char> text, bool identityHeader, in DlpContext context) =>
        needles.Find(text, '\0', final: true, identityHeader, context, out _);
}
