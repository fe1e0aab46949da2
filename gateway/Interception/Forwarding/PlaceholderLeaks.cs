using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// Finds a sandbox's placeholder in a plain-HTTP request. Credentials are only ever sent over TLS,
/// so on plain HTTP a placeholder is never replaced: its presence means the sandbox is sending
/// it somewhere it does not belong, and the request is refused and audited as a suspected leak.
/// </summary>
internal static class PlaceholderLeaks
{
    /// <summary>The variable whose placeholder appears in the target or a header, or null.</summary>
    public static string? Find(HttpRequest request, string rawTarget, string sandbox, Placeholders placeholders)
    {
        if (!placeholders.HasAny(sandbox))
        {
            return null;
        }

        if (placeholders.FirstIn(rawTarget, sandbox) is { } inTarget)
        {
            return inTarget;
        }

        foreach (KeyValuePair<string, StringValues> header in request.Headers)
        {
            foreach (string? value in header.Value)
            {
                if (value is not null && placeholders.FirstIn(value, sandbox) is { } variable)
                {
                    return variable;
                }
            }
        }

        return null;
    }
}
