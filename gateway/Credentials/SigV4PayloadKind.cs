namespace Gateway.Credentials;

/// <summary>How the payload hash of a request to re-sign is found, or why it cannot be re-signed.</summary>
internal enum SigV4PayloadKind
{
    /// <summary>The client declared it in x-amz-content-sha256 (a hex hash, UNSIGNED-PAYLOAD or an unsigned trailer stream).</summary>
    Declared,

    /// <summary>No declaration: the gateway hashes the body, which it reads up to a bound first.</summary>
    HashBody,

    /// <summary>A presigned URL (query X-Amz-Signature / X-Amz-Credential): refused.</summary>
    Presigned,

    /// <summary>A chunk-signed aws-chunked stream (STREAMING-AWS4-HMAC-SHA256-PAYLOAD…): refused.</summary>
    SignedStream,

    /// <summary>x-amz-content-sha256 is neither a hash nor a known literal: refused.</summary>
    Malformed,
}
