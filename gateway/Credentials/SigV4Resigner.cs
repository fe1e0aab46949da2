using System.Buffers;
using System.Net.Http.Headers;

namespace Gateway.Credentials;

/// <summary>
/// Re-signs an intercepted request, as the upstream will receive it, with the real AWS keys: the
/// sandbox's Authorization, X-Amz-Security-Token and X-Amz-Date are dropped, X-Amz-Date is set
/// from the gateway's clock, the real session token is added when the key pair has one, and
/// the signature covers host, content-type, content-md5, every x-amz-* header and whatever
/// else the sandbox itself signed (minus hop-by-hop headers, which a proxy does not forward as sent).
/// </summary>
internal sealed class SigV4Resigner(SigV4SigningKeys keys, TimeProvider time)
{
    /// <summary>
    /// Signs <paramref name="message"/> (its URI and headers final) for <paramref name="host"/> (the
    /// Host value sent: "name" on 443, else "name:port") in <paramref name="scope"/>.
    /// </summary>
    /// <param name="message">The outgoing request.</param>
    /// <param name="host">The Host header value the upstream receives.</param>
    /// <param name="scope">Region and service.</param>
    /// <param name="sentAuthorization">The sandbox's Authorization value, whose signed-headers list is kept; null for none.</param>
    /// <param name="payloadHash">The payload hash to sign (see <see cref="SigV4Payload"/>).</param>
    /// <param name="accessKeyId">The real access key id.</param>
    /// <param name="secretAccessKey">The real secret access key.</param>
    /// <param name="sessionToken">The real session token, or null.</param>
    public void Sign(
        HttpRequestMessage message, string host, SigV4Scope scope, string? sentAuthorization, string payloadHash,
        string accessKeyId, string secretAccessKey, string? sessionToken)
    {
        SigV4Authorization.TryParse(sentAuthorization, out SigV4Authorization sent);
        HttpRequestHeaders headers = message.Headers;
        headers.Remove("Authorization");
        headers.Remove("X-Amz-Security-Token");
        headers.Remove("X-Amz-Date");
        headers.Host = host;
        DateTime now = time.GetUtcNow().UtcDateTime;
        headers.TryAddWithoutValidation("X-Amz-Date", now.ToString(SigV4Signer.DateFormat, System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(sessionToken))
        {
            headers.TryAddWithoutValidation("X-Amz-Security-Token", sessionToken);
        }

        // S3 requires the header; the other services take the hash from the signature alone.
        if (string.Equals(scope.Service, "s3", StringComparison.Ordinal) && !headers.Contains("x-amz-content-sha256"))
        {
            headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
        }

        SigV4Header[] signed = ArrayPool<SigV4Header>.Shared.Rent(32);
        int count = 0;
        try
        {
            Collect(headers, sent, ref signed, ref count);
            if (message.Content is { } content)
            {
                Collect(content.Headers, sent, ref signed, ref count);
            }

            Uri uri = message.RequestUri!;
            string pathAndQuery = uri.PathAndQuery;
            int question = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
            var input = new SigV4Input
            {
                Method = message.Method.Method,
                Path = question < 0 ? pathAndQuery : pathAndQuery.AsSpan(0, question),
                Query = question < 0 ? [] : pathAndQuery.AsSpan(question + 1),
                Headers = signed.AsSpan(0, count),
                PayloadHash = payloadHash,
                Region = scope.Region,
                Service = scope.Service,
            };
            headers.TryAddWithoutValidation("Authorization", SigV4Signer.Authorization(input, accessKeyId, secretAccessKey, now, keys));
        }
        finally
        {
            signed.AsSpan(0, count).Clear();
            ArrayPool<SigV4Header>.Shared.Return(signed);
        }
    }

    // A header sent on several lines is folded into one line first, so that the signed value
    // (lines joined by ',') is exactly what goes on the wire.
    private static void Collect(HttpHeaders headers, SigV4Authorization sent, ref SigV4Header[] signed, ref int count)
    {
        string? fold = null;
        foreach (KeyValuePair<string, HeaderStringValues> header in headers.NonValidated)
        {
            if (!ShouldSign(header.Key, sent))
            {
                continue;
            }

            if (header.Value.Count > 1)
            {
                fold = header.Key;
                continue;
            }

            Add(ref signed, ref count, new SigV4Header(header.Key, header.Value.ToString()));
        }

        if (fold is not null)
        {
            // Rare (a client sending one signed header on several lines); allocating here is fine.
            var folded = new List<KeyValuePair<string, string>>();
            foreach (KeyValuePair<string, HeaderStringValues> header in headers.NonValidated)
            {
                if (header.Value.Count > 1 && ShouldSign(header.Key, sent))
                {
                    folded.Add(new(header.Key, string.Join(',', header.Value)));
                }
            }

            foreach (KeyValuePair<string, string> header in folded)
            {
                headers.Remove(header.Key);
                headers.TryAddWithoutValidation(header.Key, header.Value);
                Add(ref signed, ref count, new SigV4Header(header.Key, header.Value));
            }
        }
    }

    private static void Add(ref SigV4Header[] signed, ref int count, SigV4Header header)
    {
        if (count == signed.Length)
        {
            SigV4Header[] bigger = ArrayPool<SigV4Header>.Shared.Rent(signed.Length * 2);
            signed.AsSpan(0, count).CopyTo(bigger);
            signed.AsSpan(0, count).Clear();
            ArrayPool<SigV4Header>.Shared.Return(signed);
            signed = bigger;
        }

        signed[count++] = header;
    }

    private static bool ShouldSign(string name, SigV4Authorization sent)
    {
        if (IsHopByHop(name))
        {
            return false;
        }

        return name.Equals("host", StringComparison.OrdinalIgnoreCase)
            || name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
            || name.Equals("content-md5", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)
            || sent.Signed(name);
    }

    // Headers a proxy hop changes or drops, and those botocore never signs for the same reason
    // (user-agent, expect, x-amzn-trace-id); the sandbox's own Authorization is gone already.
    private static bool IsHopByHop(string name) =>
        name.Equals("authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("proxy-authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("proxy-connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("te", StringComparison.OrdinalIgnoreCase)
        || name.Equals("trailer", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("upgrade", StringComparison.OrdinalIgnoreCase)
        || name.Equals("user-agent", StringComparison.OrdinalIgnoreCase)
        || name.Equals("expect", StringComparison.OrdinalIgnoreCase)
        || name.Equals("x-amzn-trace-id", StringComparison.OrdinalIgnoreCase);
}
