using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PolicyCompiler.Kits;

namespace Gateway.Credentials;

/// <summary>
/// An <c>oauth2</c> source: an access token from the token endpoint with the client_credentials
/// grant (RFC 6749 §4.4) or the refresh_token grant (§6). The client authenticates with HTTP Basic
/// (§2.3.1, which every server must support) when it has a secret. A refresh token the server
/// rotates is kept in memory for the next refresh.
/// </summary>
internal sealed class OAuth2Minter(string name, KitOAuth2 config, CredentialBroker broker, TokenClient client, TimeProvider time) : CredentialMinter
{
    private string? _rotatedRefreshToken;

    public override async Task<CredentialResult> MintAsync(CancellationToken cancellationToken)
    {
        CredentialResult clientId = await broker.GetAsync(config.ClientId, cancellationToken).ConfigureAwait(false);
        if (clientId.Value?.Token is not { } id)
        {
            return Nested("clientId", clientId);
        }

        string? secret = null;
        if (config.ClientSecret is { } secretSource)
        {
            CredentialResult read = await broker.GetAsync(secretSource, cancellationToken).ConfigureAwait(false);
            secret = read.Value?.Token;
            if (secret is null)
            {
                return Nested("clientSecret", read);
            }
        }

        var form = new List<KeyValuePair<string, string>>(4);
        if (config.Grant == KitOAuth2Grant.RefreshToken)
        {
            string? refresh = Volatile.Read(ref _rotatedRefreshToken);
            if (refresh is null)
            {
                CredentialResult read = await broker.GetAsync(config.RefreshToken!, cancellationToken).ConfigureAwait(false);
                refresh = read.Value?.Token;
                if (refresh is null)
                {
                    return Nested("refreshToken", read);
                }
            }

            form.Add(new("grant_type", "refresh_token"));
            form.Add(new("refresh_token", refresh));
        }
        else
        {
            form.Add(new("grant_type", "client_credentials"));
        }

        if (!config.Scopes.IsEmpty)
        {
            form.Add(new("scope", string.Join(' ', config.Scopes)));
        }

        AuthenticationHeaderValue? basic = null;
        if (secret is null)
        {
            form.Add(new("client_id", id)); // a public client names itself in the body (§3.2.1)
        }
        else
        {
            // §2.3.1: client id and secret are form-urlencoded before they are joined.
            string pair = Uri.EscapeDataString(id) + ":" + Uri.EscapeDataString(secret);
            basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        (JsonDocument? body, string? failure) = await client.PostAsync(config.TokenUrl, new FormUrlEncodedContent(form), basic, null, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return CredentialResult.Fail(failure!);
        }

        using (body)
        {
            if (TokenResponse.Read(body.RootElement) is not { } token)
            {
                return CredentialResult.Fail($"the token endpoint {config.TokenUrl.GetLeftPart(UriPartial.Path)} answered without an access_token");
            }

            if (config.Grant == KitOAuth2Grant.RefreshToken && TokenResponse.String(body.RootElement, "refresh_token") is { Length: > 0 } rotated)
            {
                Volatile.Write(ref _rotatedRefreshToken, rotated);
            }

            return Credential.Minted(token.Token, time.GetUtcNow(), token.Lifetime).Result;
        }
    }

    private CredentialResult Nested(string part, CredentialResult read) =>
        CredentialResult.Fail($"its {part} ({name}.{part}) has no value: {(read.Missing ? "looked in " : "")}{read.Failure}");
}
