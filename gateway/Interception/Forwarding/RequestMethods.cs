using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// The methods a request may be taken for: its own, and those its method-override headers name.
/// Frameworks (Rails, Express's method-override, Laravel, Google and OData APIs) let a
/// <c>GET</c> or <c>POST</c> act as the method in <c>X-HTTP-Method-Override</c>,
/// <c>X-HTTP-Method</c> or <c>X-Method-Override</c>, so an L7 rule on methods must hold for each.
/// </summary>
/// <param name="Own">The request line's (or <c>:method</c>'s) method.</param>
/// <param name="Overrides">The methods named by override headers, upper-cased; null when there are none.</param>
internal readonly record struct RequestMethods(string Own, List<string>? Overrides)
{
    private static readonly string[] s_overrideHeaders = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

    /// <summary>The methods of <paramref name="request"/>; no allocation when it has no override header.</summary>
    public static RequestMethods Of(HttpRequest request)
    {
        List<string>? overrides = null;
        foreach (string header in s_overrideHeaders)
        {
            if (!request.Headers.TryGetValue(header, out StringValues values))
            {
                continue;
            }

            foreach (string? value in values)
            {
                // A list ("DELETE, PUT") is read as each of its items: a server may take either.
                foreach (string item in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    (overrides ??= []).Add(item.ToUpperInvariant());
                }
            }
        }

        return new RequestMethods(request.Method, overrides);
    }
}
