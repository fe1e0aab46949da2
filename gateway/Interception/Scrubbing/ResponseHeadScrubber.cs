using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Gateway.Interception.Scrubbing;

/// <summary>
/// Keeps the secrets of a request out of the head of its response: the status line's reason
/// phrase, header names and header values. An upstream that echoes a credential (a 401 naming
/// the key it refused, a debugging header keyed by it) must not hand it to the sandbox.
/// </summary>
internal static class ResponseHeadScrubber
{
    /// <summary>
    /// Drops the upstream's HTTP/1.1 reason phrase, so Kestrel writes the standard one for the
    /// status. RFC 9112 §4: a client should ignore the reason phrase, so nothing is lost; and it
    /// is dropped whatever it says, since an echo need not be verbatim (base64, URL-encoded).
    /// </summary>
    public static void DropReasonPhrase(HttpContext context)
    {
        if (context.Features.Get<IHttpResponseFeature>() is { ReasonPhrase: not null } response)
        {
            response.ReasonPhrase = null;
        }
    }

    /// <summary>
    /// Removes every header whose value contains a secret (as sent), or whose name contains one in
    /// any case: HTTP/2 lower-cases names on the way, so "Key-ABC: 1" arrives as "key-abc".
    /// </summary>
    public static void Scrub(IHeaderDictionary headers, List<string> secrets)
    {
        List<string>? leaking = null;
        foreach (KeyValuePair<string, StringValues> header in headers)
        {
            if (Carries(header.Key, header.Value, secrets))
            {
                (leaking ??= []).Add(header.Key);
            }
        }

        if (leaking is null)
        {
            return;
        }

        foreach (string name in leaking)
        {
            headers.Remove(name);
        }
    }

    private static bool Carries(string name, StringValues values, List<string> secrets)
    {
        foreach (string secret in secrets)
        {
            if (name.Contains(secret, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            foreach (string? value in values)
            {
                if (value is not null && value.Contains(secret, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
