namespace LoadDriver.Load;

/// <summary>What <see cref="ResponseVerifier"/> concluded about the bytes received so far.</summary>
internal enum VerifyOutcome
{
    /// <summary>The response is not complete yet: read more.</summary>
    Incomplete,

    /// <summary>Status 200, the expected length and bytes, and the expected header if one was asked for.</summary>
    Ok,

    /// <summary>Not an HTTP/1.1 response head, or one without a usable Content-Length.</summary>
    BadHead,

    /// <summary>A status other than 200.</summary>
    BadStatus,

    /// <summary>The body differs from the origin's pattern (length or bytes).</summary>
    BadBody,

    /// <summary>The expected header is missing or has another value.</summary>
    BadHeader,
}
