namespace Gateway.Interception.Dlp;

/// <summary>The bounds of a scanned request body (documented in SECURITY.md, "Round 2: DLP").</summary>
internal static class DlpBodyLimits
{
    /// <summary>
    /// Raw bytes read and scanned before anything is forwarded: a body up to this size is refused before the
    /// upstream sees the request at all; a longer one is streamed, and a hit past this point aborts the
    /// upstream request before its body is complete.
    /// </summary>
    public const int Prefetch = 64 * 1024;

    /// <summary>Room past <see cref="Prefetch"/> a decoder may read into while prefetching.</summary>
    public const int Slack = 16 * 1024;

    /// <summary>Decoded bytes buffered between the decoder and the scanner.</summary>
    public const int DecodedChunk = 16 * 1024;

    /// <summary>A compressed body that decodes past this is refused as <c>dlp:decode-limit</c>.</summary>
    public const long MaxDecodedBytes = 1L << 30;

    /// <summary>Past <see cref="RatioFloor"/> decoded bytes, a body decoding to more than this many times its size is a bomb.</summary>
    public const int MaxRatio = 100;

    /// <summary>Decoded bytes below which the ratio is not checked (small bodies of zeros compress well and are harmless).</summary>
    public const long RatioFloor = 1L << 20;
}
