using Microsoft.AspNetCore.Http;

namespace Gateway.Credentials;

/// <summary>
/// What a request to re-sign says about its payload, decided from its head before any body is read.
/// The refusals are the forms whose signature is not only in the Authorization header: a presigned
/// URL carries it in the query, and a chunk-signed stream carries one per chunk, each chained to
/// the sandbox's key; the gateway would have to rewrite the body to re-sign those.
/// </summary>
/// <param name="Kind">How the hash is found.</param>
/// <param name="Hash">For <see cref="SigV4PayloadKind.Declared"/>, the value to sign (hex lower-cased).</param>
internal readonly record struct SigV4Payload(SigV4PayloadKind Kind, string? Hash)
{
    /// <summary>The payload literal of S3 over TLS.</summary>
    public const string Unsigned = "UNSIGNED-PAYLOAD";

    /// <summary>aws-chunked with an unsigned trailing checksum: the chunks carry no signature, so it re-signs like <see cref="Unsigned"/>.</summary>
    public const string UnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>Classifies <paramref name="request"/>.</summary>
    public static SigV4Payload Of(HttpRequest request)
    {
        if (IsPresigned(request.QueryString.Value))
        {
            return new(SigV4PayloadKind.Presigned, null);
        }

        string declared = request.Headers["x-amz-content-sha256"].ToString();
        if (declared.Length == 0)
        {
            return new(SigV4PayloadKind.HashBody, null);
        }

        if (declared is Unsigned or UnsignedTrailer)
        {
            return new(SigV4PayloadKind.Declared, declared);
        }

        if (declared.StartsWith("STREAMING-", StringComparison.Ordinal))
        {
            return new(SigV4PayloadKind.SignedStream, null);
        }

        return declared.Length == 64 && IsHex(declared)
            ? new(SigV4PayloadKind.Declared, declared.ToLowerInvariant())
            : new(SigV4PayloadKind.Malformed, null);
    }

    /// <summary>The refusal an operator and an agent can act on, for the kinds that are refused.</summary>
    public static string Refusal(SigV4PayloadKind kind, string host) => kind switch
    {
        SigV4PayloadKind.Presigned =>
            $"Refused: this is a presigned URL (X-Amz-Signature in the query). The egress gateway signs requests to {host} with the real AWS keys itself and cannot re-sign a presigned URL made with the sandbox's placeholder keys; send the request unsigned or signed in the Authorization header instead.\n",
        SigV4PayloadKind.SignedStream =>
            $"Refused: the body is an aws-chunked stream with a signature per chunk (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD…), which the egress gateway cannot re-sign for {host}. Send the body in one piece (with x-amz-content-sha256 set to its SHA-256, or UNSIGNED-PAYLOAD over HTTPS); for the AWS CLI and SDKs, that is the default for S3 over HTTPS.\n",
        _ =>
            $"Refused: x-amz-content-sha256 must be a hex SHA-256, UNSIGNED-PAYLOAD or STREAMING-UNSIGNED-PAYLOAD-TRAILER; the request to {host} was not sent.\n",
    };

    private static bool IsPresigned(string? query) =>
        query is not null
        && (query.Contains("X-Amz-Signature=", StringComparison.OrdinalIgnoreCase) || query.Contains("X-Amz-Credential=", StringComparison.OrdinalIgnoreCase));

    private static bool IsHex(string text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
