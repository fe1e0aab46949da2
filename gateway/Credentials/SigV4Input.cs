namespace Gateway.Credentials;

/// <summary>
/// What a SigV4 signature covers: the request as the upstream receives it (method, path and
/// query as on the wire, the headers chosen for signing, the payload hash) and its scope.
/// </summary>
internal readonly ref struct SigV4Input
{
    /// <summary>The HTTP method, upper case as sent.</summary>
    public required ReadOnlySpan<char> Method { get; init; }

    /// <summary>The path as on the wire (percent-encoded), without the query.</summary>
    public required ReadOnlySpan<char> Path { get; init; }

    /// <summary>The query as on the wire, without the '?'; empty for none.</summary>
    public required ReadOnlySpan<char> Query { get; init; }

    /// <summary>The headers to sign, one entry per header line, names in any case; must include host.</summary>
    public required ReadOnlySpan<SigV4Header> Headers { get; init; }

    /// <summary>The hex SHA-256 of the body, or a literal such as <c>UNSIGNED-PAYLOAD</c>.</summary>
    public required ReadOnlySpan<char> PayloadHash { get; init; }

    /// <summary>The region of the credential scope, e.g. us-east-1.</summary>
    public required string Region { get; init; }

    /// <summary>The service of the credential scope (its signing name), e.g. bedrock or s3.</summary>
    public required string Service { get; init; }

    /// <summary>
    /// True for every service but S3: the path is normalised (dot and empty segments removed) and
    /// percent-encoded again, so "%" becomes "%25". S3 signs the path exactly as sent.
    /// </summary>
    public bool EncodePathTwice => !string.Equals(Service, "s3", StringComparison.Ordinal);
}
