namespace Gateway.Interception.Dlp;

/// <summary>What verifying one needle occurrence concluded.</summary>
internal enum DlpVerdict
{
    /// <summary>Not a secret (a look-alike, a too-short run, an example key, the requester's own placeholder).</summary>
    Miss,

    /// <summary>A secret.</summary>
    Hit,

    /// <summary>The text ends before the shape can be decided; the caller keeps it and retries with more.</summary>
    NeedMore,
}
