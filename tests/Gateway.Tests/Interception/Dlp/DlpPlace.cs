namespace Gateway.Tests.Interception.Dlp;

/// <summary>Where a DLP case puts its text in the request.</summary>
internal enum DlpPlace
{
    /// <summary>In the query of the request target.</summary>
    Url,

    /// <summary>The value of an ordinary header (X-Data).</summary>
    Header,

    /// <summary>The value of the Authorization header.</summary>
    Authorization,

    /// <summary>The body, delivered in one read.</summary>
    Body,

    /// <summary>The body, delivered 1 to 7 bytes per read (chunks, DATA frames).</summary>
    BodyTrickle,

    /// <summary>The body, the text straddling the scanner's 16 KiB window boundary.</summary>
    BodyWindowEdge,

    /// <summary>The body, gzip-encoded (Content-Encoding: gzip), delivered 5 bytes per read.</summary>
    BodyGzip,

    /// <summary>The body, zlib-encoded (Content-Encoding: deflate).</summary>
    BodyDeflate,

    /// <summary>The body, brotli-encoded (Content-Encoding: br).</summary>
    BodyBrotli,
}
