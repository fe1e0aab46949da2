using System.Text;
using PolicyCompiler.Kits;

namespace Gateway.Credentials;

/// <summary>How a token becomes what a bound host reads: a header value (header, bearer, basic) or a query value.</summary>
internal static class CredentialPresentation
{
    /// <summary>The header value of <paramref name="auth"/> for <paramref name="token"/>.</summary>
    public static string HeaderValue(KitServiceAuth auth, string token) => auth.Scheme switch
    {
        KitAuthScheme.Bearer => "Bearer " + token,

        // RFC 7617 §2: base64 of user-id ":" password, UTF-8 (the charset git and code hosts use).
        KitAuthScheme.Basic => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(auth.Username + ":" + token)),
        KitAuthScheme.Query => Uri.EscapeDataString(token),
        _ => auth.FormatValue(token),
    };
}
