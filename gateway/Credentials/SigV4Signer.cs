using System.Security.Cryptography;

namespace Gateway.Credentials;

/// <summary>
/// AWS Signature Version 4 over a request as it goes on the wire: canonical request → SHA-256 →
/// string to sign → HMAC with the (cached) signing key → <c>Authorization</c> value. Buffers are
/// pooled or on the stack; the header value is the one string made. Checked against AWS's
/// published test suite and against botocore.
/// </summary>
internal static class SigV4Signer
{
    /// <summary>The x-amz-date format: basic ISO 8601, UTC.</summary>
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The hex SHA-256 of an empty body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>
    /// The <c>Authorization</c> value for <paramref name="input"/> signed at <paramref name="time"/>
    /// (which must be the request's x-amz-date) with the key pair given.
    /// </summary>
    public static string Authorization(scoped in SigV4Input input, string accessKeyId, string secretAccessKey, DateTime time, SigV4SigningKeys keys)
    {
        var canonical = new SigV4Writer(512);
        var signedHeaders = new SigV4Writer(128);
        try
        {
            SigV4CanonicalRequest.Write(input, ref canonical, ref signedHeaders);
            Span<byte> signature = stackalloc byte[32];
            Sign(canonical.Written, input.Region, input.Service, secretAccessKey, time, keys, signature);
            return Format(accessKeyId, time, input.Region, input.Service, signedHeaders.Written, signature);
        }
        finally
        {
            canonical.Dispose();
            signedHeaders.Dispose();
        }
    }

    /// <summary>The canonical request of <paramref name="input"/> as text (for tests and diagnostics).</summary>
    public static string CanonicalRequest(scoped in SigV4Input input)
    {
        var canonical = new SigV4Writer(512);
        var signedHeaders = new SigV4Writer(128);
        try
        {
            SigV4CanonicalRequest.Write(input, ref canonical, ref signedHeaders);
            return System.Text.Encoding.UTF8.GetString(canonical.Written);
        }
        finally
        {
            canonical.Dispose();
            signedHeaders.Dispose();
        }
    }

    /// <summary>The string to sign for a canonical request (AWS "Create a string to sign").</summary>
    public static int WriteStringToSign(ReadOnlySpan<byte> canonicalRequest, string region, string service, DateTime time, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(canonicalRequest, hash);
        int at = 0;
        "AWS4-HMAC-SHA256\n"u8.CopyTo(destination);
        at += "AWS4-HMAC-SHA256\n".Length;
        time.TryFormat(destination[at..], out int written, DateFormat, System.Globalization.CultureInfo.InvariantCulture);
        at += written;
        destination[at++] = (byte)'\n';
        at += WriteScope(destination[at..], time, region, service);
        destination[at++] = (byte)'\n';
        Convert.TryToHexStringLower(hash, destination[at..], out written);
        return at + written;
    }

    private static void Sign(ReadOnlySpan<byte> canonicalRequest, string region, string service, string secret, DateTime time, SigV4SigningKeys keys, Span<byte> signature)
    {
        // 17 + 16 + 1 + scope (≤ 8 + 1 + 64 + 1 + 64 + 13) + 1 + 64
        Span<byte> stringToSign = stackalloc byte[256];
        int length = WriteStringToSign(canonicalRequest, region, service, time, stringToSign);
        byte[] key = keys.For(secret, time.Year * 10000 + time.Month * 100 + time.Day, region, service);
        HMACSHA256.HashData(key, stringToSign[..length], signature);
    }

    // DATE/REGION/SERVICE/aws4_request
    private static int WriteScope(Span<byte> destination, DateTime time, string region, string service)
    {
        time.TryFormat(destination, out int at, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        destination[at++] = (byte)'/';
        at += System.Text.Encoding.ASCII.GetBytes(region, destination[at..]);
        destination[at++] = (byte)'/';
        at += System.Text.Encoding.ASCII.GetBytes(service, destination[at..]);
        "/aws4_request"u8.CopyTo(destination[at..]);
        return at + "/aws4_request".Length;
    }

    private static string Format(string accessKeyId, DateTime time, string region, string service, ReadOnlySpan<byte> signedHeaders, ReadOnlySpan<byte> signature)
    {
        Span<byte> scope = stackalloc byte[160];
        int scopeLength = WriteScope(scope, time, region, service);
        const string Head = "AWS4-HMAC-SHA256 Credential=";
        const string Middle = ", SignedHeaders=";
        const string Tail = ", Signature=";
        int length = Head.Length + accessKeyId.Length + 1 + scopeLength + Middle.Length + signedHeaders.Length + Tail.Length + 64;
        Span<byte> text = length <= 1024 ? stackalloc byte[length] : new byte[length];
        int at = System.Text.Encoding.ASCII.GetBytes(Head, text);
        at += System.Text.Encoding.ASCII.GetBytes(accessKeyId, text[at..]);
        text[at++] = (byte)'/';
        scope[..scopeLength].CopyTo(text[at..]);
        at += scopeLength;
        at += System.Text.Encoding.ASCII.GetBytes(Middle, text[at..]);
        signedHeaders.CopyTo(text[at..]);
        at += signedHeaders.Length;
        at += System.Text.Encoding.ASCII.GetBytes(Tail, text[at..]);
        Convert.TryToHexStringLower(signature, text[at..], out int written);
        return System.Text.Encoding.ASCII.GetString(text[..(at + written)]);
    }
}
