using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using PolicyCompiler.Kits;

namespace Gateway.Credentials;

/// <summary>
/// A <c>githubApp</c> source: an app JWT (RS256, issuer the app id, ten minutes at most, issued a
/// minute early against clock drift, as GitHub's documentation says) exchanged for an installation
/// token at <c>POST {apiUrl}/app/installations/{id}/access_tokens</c>; the token lasts an hour.
/// </summary>
internal sealed class GithubAppMinter(KitGithubApp config, CredentialBroker broker, TokenClient client, TimeProvider time) : CredentialMinter
{
    private readonly Uri _endpoint = new(config.ApiUrl.AbsoluteUri.TrimEnd('/') + "/app/installations/" + config.InstallationId.ToString(CultureInfo.InvariantCulture) + "/access_tokens");

    public override async Task<CredentialResult> MintAsync(CancellationToken cancellationToken)
    {
        CredentialResult read = await broker.GetAsync(config.PrivateKey, cancellationToken).ConfigureAwait(false);
        if (read.Value?.Token is not { } pem)
        {
            return CredentialResult.Fail($"its privateKey has no value: {(read.Missing ? "looked in " : "")}{read.Failure}");
        }

        DateTimeOffset now = time.GetUtcNow();
        string jwt;
        try
        {
            jwt = JwtSigner.Sign(pem, null, writer =>
            {
                writer.WriteNumber("iat", (now - TimeSpan.FromSeconds(60)).ToUnixTimeSeconds());
                writer.WriteNumber("exp", (now + TimeSpan.FromMinutes(9)).ToUnixTimeSeconds());
                writer.WriteString("iss", config.AppId.ToString(CultureInfo.InvariantCulture));
            });
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return CredentialResult.Fail("its privateKey is not an RSA private key in PEM form (the .pem GitHub lets you download)");
        }

        (JsonDocument? body, string? failure) = await client.PostAsync(
            _endpoint, new ByteArrayContent([]), new AuthenticationHeaderValue("Bearer", jwt), "application/vnd.github+json", cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return CredentialResult.Fail(failure!);
        }

        using (body)
        {
            string? token = TokenResponse.String(body.RootElement, "token");
            if (token is not { Length: > 0 })
            {
                return CredentialResult.Fail($"the token endpoint {_endpoint.GetLeftPart(UriPartial.Path)} answered without a token");
            }

            now = time.GetUtcNow();
            TimeSpan lifetime = TimeSpan.FromHours(1);
            if (TokenResponse.String(body.RootElement, "expires_at") is { } expiresAt
                && DateTimeOffset.TryParse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset until) && until > now)
            {
                lifetime = until - now;
            }

            return Credential.Minted(token, now, lifetime).Result;
        }
    }
}
